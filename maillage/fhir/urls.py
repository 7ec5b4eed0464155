from django.urls import path, re_path

from maillage.fhir import views

app_name = "fhir"

urlpatterns = [path("metadata", views.metadata, name="metadata")]
for resource_type in ("Practitioner", "PractitionerRole", "Organization"):
    name = resource_type.lower()
    kwargs = {"resource_type": resource_type}
    urlpatterns += [
        re_path(rf"^{resource_type}/?$", views.search_type, kwargs, name=f"{name}_search"),
        re_path(rf"^{resource_type}/(?P<resource_id>[A-Za-z0-9\-.]{{1,64}})$", views.read, kwargs, name=f"{name}_read"),
    ]
# Anything else under /fhir/ answers an OperationOutcome, not the site's HTML 404 page.
urlpatterns.append(re_path(r"^(?P<rest>.*)$", views.unsupported, name="unsupported"))
