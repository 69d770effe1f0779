"""The default allegation taxonomy. Administrators may add, rename or retire categories;
``refer_to_board`` marks the categories every case of which goes to the review board."""

from django.db import migrations

CATEGORIES = [
    # code, name, name_es, refer_to_board
    ("force", "Use of force", "Uso de la fuerza", True),
    ("bias", "Bias or profiling", "Prejuicio o perfil discriminatorio", True),
    ("improper_stop", "Improper stop or detention", "Detención o parada indebida", False),
    ("improper_search", "Improper search or seizure", "Registro o incautación indebidos", False),
    ("false_arrest", "False arrest", "Arresto indebido", False),
    ("courtesy", "Discourtesy", "Falta de cortesía", False),
    ("language", "Offensive language", "Lenguaje ofensivo", False),
    ("bodycam", "Failure to activate a body camera", "No activar la cámara corporal", False),
    ("neglect", "Neglect of duty", "Negligencia en el cumplimiento del deber", False),
    ("property", "Property damaged or not returned", "Bienes dañados o no devueltos", False),
    ("retaliation", "Retaliation", "Represalias", True),
    ("misconduct", "Other misconduct", "Otra conducta indebida", False),
]


def forward(apps, schema_editor):
    Category = apps.get_model("oversight", "AllegationCategory")
    for order, (code, name, name_es, refer) in enumerate(CATEGORIES, start=1):
        Category.objects.using(schema_editor.connection.alias).get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_es": name_es,
                "refer_to_board": refer,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
