"""Issue 17 — the pages of the mission (names in the `www` namespace; every one has its rows in
tests/test_permissions.py)."""

from django.urls import path

from maillage.www.quality import events, groups, protocols, space

Q = "c/<slug:slug>/qualite/"
urlpatterns: list = [
    path(Q, groups.home, name="quality_home"),
    path(f"{Q}groupes/", groups.groups, name="quality_groups"),
    path(f"{Q}groupes/nouveau/", groups.group_new, name="quality_group_new"),
    path(f"{Q}groupes/<int:pk>/", groups.group, name="quality_group"),
    path(f"{Q}groupes/<int:pk>/membres/", groups.member_add, name="quality_group_member_add"),
    path(f"{Q}groupes/membres/<int:pk>/retirer/", groups.member_remove, name="quality_group_member_remove"),
    path(f"{Q}groupes/<int:pk>/seances/nouvelle/", groups.session_new, name="quality_session_new"),
    path(f"{Q}seances/<int:pk>/", groups.session, name="quality_session"),
    path(f"{Q}presences/", groups.attendance, name="quality_attendance"),
    path(f"{Q}protocoles/", protocols.protocols, name="quality_protocols"),
    path(f"{Q}protocoles/nouveau/", protocols.protocol_new, name="quality_protocol_new"),
    path(f"{Q}protocoles/<int:pk>/", protocols.protocol, name="quality_protocol"),
    path(f"{Q}protocoles/<int:pk>/modifier/", protocols.protocol_edit, name="quality_protocol_edit"),
    path(f"{Q}protocoles/<int:pk>/fichier/", protocols.protocol_download, name="quality_protocol_download"),
    path(f"{Q}protocoles/<int:pk>/deposer/", protocols.protocol_file, name="quality_protocol_file"),
    path(f"{Q}protocoles/<int:pk>/valider/", protocols.protocol_validate, name="quality_protocol_validate"),
    path(f"{Q}protocoles/<int:pk>/etat/", protocols.protocol_move, name="quality_protocol_move"),
    path(f"{Q}protocoles/<int:pk>/revision/", protocols.protocol_review, name="quality_protocol_review"),
    path(f"{Q}protocoles/<int:pk>/nouvelle-version/", protocols.protocol_version, name="quality_protocol_version"),
    path(f"{Q}eias/", events.events, name="quality_events"),
    path(f"{Q}eias/<int:pk>/", events.event, name="quality_event"),
    path(f"{Q}eias/<int:pk>/analyse/", events.event_analyse, name="quality_event_analyse"),
    path(f"{Q}eias/<int:pk>/actions/", events.action_new, name="quality_event_action_new"),
    path(f"{Q}eias/actions/<int:pk>/faite/", events.action_done, name="quality_event_action_done"),
    # The team: protocols in use, their own groups, declaring an adverse event.
    path(f"{Q}espace/", space.space, name="quality_space"),
    path(f"{Q}espace/protocoles/<int:pk>/fichier/", space.space_protocol, name="quality_space_protocol"),
    path(f"{Q}espace/groupes/<int:pk>/", space.space_group, name="quality_space_group"),
    path(f"{Q}espace/eias/declarer/", space.event_declare, name="quality_event_declare"),
]
