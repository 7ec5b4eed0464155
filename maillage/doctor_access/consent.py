"""The consent text shown with every intake. Its version is stored with each request: change the
text, change the version, so that what each patient agreed to stays known."""

CONSENT_VERSION = "2026-11-v1"
CONSENT_TEXT = (
    "J'accepte que la CPTS enregistre ces informations pour me trouver un médecin traitant. "
    "Elles ne sont lues que par son équipe de coordination et par le médecin à qui ma demande est "
    "proposée ; elles sont anonymisées un an après la clôture de la demande. Je peux demander à "
    "les consulter, les corriger ou les retirer à tout moment auprès de la CPTS."
)
