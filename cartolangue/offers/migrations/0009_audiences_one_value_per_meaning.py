"""One audience value per meaning: "jeunes-16-25" ("Jeunes (16-25 ans)") becomes data·inclusion's "jeunes".

A course that had both keeps one row: exclusive when either was (an offer reserved to young people stays
reserved). The reverse cannot tell the two apart again and leaves the rows as they are. The values are copied
here, not imported, so that this migration keeps its meaning whatever `enums` becomes.
"""

from django.db import migrations, models

RETIRED = {"jeunes-16-25": "jeunes"}
EXCLUSIVE = "exclusif"


def rewrite_retired_audiences(apps, schema_editor):
    CourseAudience = apps.get_model("offers", "CourseAudience")
    for old, new in RETIRED.items():
        for row in CourseAudience.objects.filter(audience=old).iterator():
            kept = CourseAudience.objects.filter(course_id=row.course_id, audience=new).first()
            if kept is None:
                row.audience = new
                row.save(update_fields=["audience"])
                continue
            if row.mode == EXCLUSIVE and kept.mode != EXCLUSIVE:
                kept.mode = EXCLUSIVE
                kept.save(update_fields=["mode"])
            row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0008_course_contact_public"),
    ]

    operations = [
        migrations.RunPython(rewrite_retired_audiences, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="courseaudience",
            name="audience",
            field=models.CharField(
                choices=[
                    ("signataires-cir", "Primo-arrivants signataires du CIR"),
                    ("bpi", "Réfugiés / bénéficiaires de la protection internationale"),
                    ("demandeurs-asile", "Demandeurs d’asile"),
                    ("protection-temporaire", "Bénéficiaires de la protection temporaire"),
                    ("personnes-exilees", "Personnes exilées"),
                    ("demandeurs-emploi", "Demandeurs d’emploi"),
                    ("beneficiaires-rsa", "Bénéficiaires du RSA"),
                    ("beneficiaires-des-minimas-sociaux", "Bénéficiaires des minimas sociaux"),
                    ("actifs", "Actifs"),
                    ("jeunes", "Jeunes"),
                    ("parents-eleves", "Parents d’élèves"),
                    ("familles", "Familles"),
                    ("femmes", "Femmes"),
                    ("residents-qpv-frr", "Résidents en QPV ou FRR"),
                    ("etudiants", "Étudiants"),
                    ("seniors", "Séniors"),
                    ("personnes-en-situation-de-handicap", "Personnes en situation de handicap"),
                    ("residents-hebergement", "Résidents de centre d’hébergement ou de CADA"),
                    ("personnes-en-situation-durgence", "Personnes en situation d’urgence"),
                    ("personnes-en-situation-juridique-specifique", "Personnes en situation juridique spécifique"),
                    ("tous-publics", "Tous publics"),
                ],
                max_length=60,
                verbose_name="public",
            ),
        ),
    ]
