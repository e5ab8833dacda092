"""The referential of French-language certifications.

RS codes (France compétences' Répertoire spécifique) are left empty until checked against the
register: a wrong code would send a CPF user to the wrong certification. CPF eligibility follows the
certifiers' public statements (France Éducation international for DILF/DELF/DALF/TCF, CCI Paris
Île-de-France for TEF, the Éducation nationale for DCL, Certif Pro for CléA).
"""

from django.db import migrations

# code, name, family, CECRL level (10=A1.1 … 70=C2, None = multi-level test), CPF eligible, usage
CERTIFICATIONS = [
    ("dilf", "DILF (A1.1)", "dilf", 10, False, ""),
    ("delf-a1", "DELF A1", "delf", 20, True, ""),
    ("delf-a2", "DELF A2", "delf", 30, True, "Carte de séjour pluriannuelle (A2)"),
    ("delf-b1", "DELF B1", "delf", 40, True, "Carte de résident (B1)"),
    ("delf-b2", "DELF B2", "delf", 50, True, "Naturalisation (B2)"),
    ("dalf-c1", "DALF C1", "dalf", 60, True, ""),
    ("dalf-c2", "DALF C2", "dalf", 70, True, ""),
    ("dcl-fle", "DCL FLE (Diplôme de compétence en langue, français langue étrangère)", "dcl", None, True, ""),
    ("tcf-tp", "TCF tout public", "tcf", None, True, ""),
    (
        "tcf-irn",
        "TCF IRN (intégration, résidence et nationalité)",
        "tcf",
        None,
        False,
        "Carte de séjour pluriannuelle, carte de résident, naturalisation",
    ),
    ("tcf-anf", "TCF ANF (accès à la nationalité française)", "tcf", None, False, "Naturalisation"),
    (
        "tef-irn",
        "TEF IRN (intégration, résidence et nationalité)",
        "tef",
        None,
        False,
        "Carte de séjour pluriannuelle, carte de résident, naturalisation",
    ),
    ("tef", "TEF (Test d'évaluation de français)", "tef", None, True, ""),
    ("clea", "CléA (socle de connaissances et de compétences professionnelles)", "clea", None, True, ""),
]


def load(apps, schema_editor):
    Certification = apps.get_model("offers", "Certification")
    for code, name, family, level, cpf, usage in CERTIFICATIONS:
        Certification.objects.update_or_create(
            code=code, defaults={"name": name, "family": family, "level": level, "cpf_eligible": cpf, "usage": usage}
        )


def unload(apps, schema_editor):
    apps.get_model("offers", "Certification").objects.filter(code__in=[c[0] for c in CERTIFICATIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
