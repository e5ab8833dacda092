"""`make_flyer --commune 95127 --langue ar --out flyer.pdf`, or one flyer per commune of a zone:
`make_flyer --zone insee-ze2020:1101 --langue ta --out dossier/`."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _
from tqdm import tqdm

from cartolangue.flyers.views import DocumentError, flyer_context, render_flyer
from cartolangue.geo.models import Commune, Zone


class Command(BaseCommand):
    help = _("Fabrique le dépliant PDF des cours proches d'une commune, ou de chaque commune d'une zone.")

    def add_arguments(self, parser):
        parser.add_argument("--commune", help=_("Code INSEE de la commune."))
        parser.add_argument(
            "--zone", help=_("Une zone (zonage:code, p. ex. insee-ze2020:1101) : un dépliant par commune.")
        )
        parser.add_argument(
            "--langue", default="fr", help=_("Langue du dépliant (fr, en, ar, fa, ps, ta, zh, ru, uk, es, ti).")
        )
        parser.add_argument("--departement", help=_("Un département (p. ex. 95) : un dépliant par commune."))
        parser.add_argument("--rayon", help=_("Rayon de recherche en km (défaut : 10)."))
        parser.add_argument(
            "--filtre",
            action="append",
            default=[],
            metavar="PARAM=VALEUR",
            help=_("Tout autre paramètre de recherche, comme dans l'adresse de la page (répétable)."),
        )
        parser.add_argument(
            "--site", default="", help=_("Adresse du site imprimée dans le QR code (défaut : SITE_URL).")
        )
        parser.add_argument("--out", required=True, help=_("Fichier PDF, ou dossier avec --zone ou --departement."))

    def handle(self, *args, **options):
        site = options["site"] or settings.SITE_URL or "http://127.0.0.1:8000/"
        base = QueryDict(mutable=True)
        for item in options["filtre"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(_("--filtre attend PARAM=VALEUR, reçu « %(v)s »") % {"v": item})
            base.appendlist(key, value)
        if options["rayon"]:
            base["rayon"] = options["rayon"]
        if options["zone"] or options["departement"]:
            return self._batch(options, base, site)
        if not options["commune"]:
            raise CommandError(_("Indiquez --commune, --zone ou --departement."))
        base["commune"] = options["commune"]
        path = Path(options["out"])
        started = time.perf_counter()
        path.write_bytes(self._render(base, options["langue"], site))
        self.stdout.write(_("%(path)s écrit en %(s).2f s") % {"path": path, "s": time.perf_counter() - started})
        return None

    def _render(self, params, language, site):
        try:
            return render_flyer(flyer_context(params, language, site))
        except DocumentError as error:
            raise CommandError(error.message) from error

    def _batch(self, options, base, site):
        if options["departement"]:
            communes = Commune.objects.filter(departement__code=options["departement"].upper())
            label = options["departement"]
            if not communes.exists():
                raise CommandError(_("Département « %(d)s » inconnu.") % {"d": options["departement"]})
        else:
            slug, _sep, code = options["zone"].partition(":")
            zone = Zone.objects.filter(zoning__slug=slug, code=code).first() if code else None
            if zone is None:
                raise CommandError(
                    _("Zone « %(z)s » inconnue (forme attendue : zonage:code).") % {"z": options["zone"]}
                )
            communes, label = zone.communes.all(), zone.name
        folder = Path(options["out"])
        folder.mkdir(parents=True, exist_ok=True)
        communes = list(communes.order_by("code_insee").values_list("code_insee", flat=True))
        started = time.perf_counter()
        times = []
        for code_insee in tqdm(communes, desc=label, unit=_("dépliant"), disable=None, file=self.stderr):
            params = base.copy()
            params["commune"] = code_insee
            one = time.perf_counter()
            (folder / f"flyer-{code_insee}-{options['langue']}.pdf").write_bytes(
                self._render(params, options["langue"], site)
            )
            times.append(time.perf_counter() - one)
        times.sort()
        self.stdout.write(
            _("%(n)d dépliants dans %(folder)s en %(s).1f s (médiane %(m).2f s par dépliant)")
            % {
                "n": len(communes),
                "folder": folder,
                "s": time.perf_counter() - started,
                "m": times[len(times) // 2] if times else 0,
            }
        )
        return None
