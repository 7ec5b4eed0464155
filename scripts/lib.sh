# Shared by scripts/backup, scripts/restore and scripts/migrate-with-backup (sourced, not run).
# Run from the application's folder, with the service's environment loaded
# (`set -a; . /etc/maillage/maillage.env; set +a`): the database and the media folder are read from
# Django's own settings, so DATABASE_URL_FILE, MAILLAGE_MEDIA_ROOT… mean here what they mean to the
# application.
PY=${MAILLAGE_PYTHON:-.venv/bin/python}

die() { echo "ERREUR : $*" >&2; exit 1; }

# Exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (libpq's variables, read by pg_dump and
# pg_restore), MEDIA_ROOT and VAR_DIR.
load_settings() {
  [ -x "$PY" ] || die "$PY introuvable : lancez le script depuis le dossier de l'application, après make install."
  local assignments
  assignments=$(DJANGO_SETTINGS_MODULE=config.settings "$PY" - <<'PYTHON'
import shlex
from django.conf import settings

db = settings.DATABASES["default"]
if not db["ENGINE"].endswith("postgresql"):
    raise SystemExit("ERREUR : la base n'est pas PostgreSQL (DATABASE_URL) : rien à sauvegarder ici.")
values = {
    "PGHOST": db.get("HOST") or "",
    "PGPORT": str(db.get("PORT") or ""),
    "PGUSER": db.get("USER") or "",
    "PGPASSWORD": db.get("PASSWORD") or "",
    "PGDATABASE": db["NAME"],
    "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode", ""),
    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "VAR_DIR": str(settings.VAR_DIR),
}
for name, value in values.items():
    print(f"{name}={shlex.quote(value)}")
PYTHON
  ) || exit 1
  eval "$assignments"
  export PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
  [ -n "$PGSSLMODE" ] && export PGSSLMODE
  # Empty libpq variables would mean "empty", not "default".
  for name in PGHOST PGPORT PGUSER PGPASSWORD; do [ -n "${!name}" ] || unset "$name"; done
  return 0
}
