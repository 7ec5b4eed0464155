import pytest

from tests.factories import ProfessionalFactory, RoleFactory


@pytest.mark.parametrize(
    "path",
    [
        "/admin/directory/professional/",
        "/admin/directory/structure/",
        "/admin/directory/importrun/",
        "/admin/directory/partner/",
        "/admin/directory/professionalaccount/",
        "/admin/directory/professionalaccount/add/",
    ],
)
def test_platform_admin_pages_of_the_directory(db, login, path):
    ProfessionalFactory()
    admin = RoleFactory(admin=True).user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert login(admin).get(path).status_code == 200


def test_imported_rows_cannot_be_edited_in_the_admin(db, login):
    professional = ProfessionalFactory()
    admin = RoleFactory(admin=True).user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = login(admin).get(f"/admin/directory/professional/{professional.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only: the next import would overwrite it
