"""Issue 17 — the pages of the mission (names in the `www` namespace; every one has its rows in
tests/test_permissions.py)."""

urlpatterns: list = []
