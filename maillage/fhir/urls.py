from django.urls import path, re_path

from maillage.fhir import views

app_name = "fhir"

urlpatterns = [path("metadata", views.metadata, name="metadata")]
for resource_type in ("Practitioner", "PractitionerRole", "Organization"):
    name = resource_type.lower()
    kwargs = {"resource_type": resource_type}
    urlpatterns += [
        re_path(rf"^{resource_type}/?$", views.search_type, kwargs, name=f"{name}_search"),
        re_path(rf"^{resource_type}/_search/?$", views.search_post, kwargs, name=f"{name}_search_post"),
        re_path(rf"^{resource_type}/(?P<resource_id>[A-Za-z0-9\-.]{{1,64}})$", views.read, kwargs, name=f"{name}_read"),
    ]
# The SAS interface (a consumer's key is required): the Slot search and reads of what it includes.
urlpatterns += [
    re_path(r"^Slot/?$", views.slot_search, name="slot_search"),
    re_path(r"^Schedule/?$", views.schedule_search, name="schedule_search"),
    re_path(
        r"^(?P<resource_type>Slot|Schedule|HealthcareService)/(?P<resource_id>[A-Za-z0-9\-.]{1,64})$",
        views.sas_read,
        name="sas_read",
    ),
]
# Issue 15 — the patients' pathways (patient data: a personal API token or a session with its
# second factor, and only what pathways/access.py lets the reader see).
for resource_type in ("CarePlan", "CareTeam", "Task"):
    name = resource_type.lower()
    kwargs = {"resource_type": resource_type}
    read = rf"^{resource_type}/(?P<resource_id>[A-Za-z0-9\-.]{{1,64}})$"
    urlpatterns += [
        re_path(rf"^{resource_type}/?$", views.pathway_search, kwargs, name=f"{name}_search"),
        re_path(read, views.pathway_read, kwargs, name=f"{name}_read"),
    ]
# Anything else under /fhir/ answers an OperationOutcome, not the site's HTML 404 page.
urlpatterns.append(re_path(r"^(?P<rest>.*)$", views.unsupported, name="unsupported"))
