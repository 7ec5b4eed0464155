from django.apps import AppConfig


class DoctorAccessConfig(AppConfig):
    name = "maillage.doctor_access"
    label = "doctor_access"
    verbose_name = "Accès à un médecin traitant"
