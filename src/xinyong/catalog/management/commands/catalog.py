import getpass
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinyong.catalog import display
from xinyong.catalog.loader import parse_catalog
from xinyong.catalog.services import CatalogInvalid, find_all, load_catalog


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


class Command(BaseCommand):
    help = ("The catalog (公共信用信息目录) and its 三清单: "
            "check, load, list or show entries. See catalog/README.md.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser("check", help="check the YAML; print file:line errors")
        check.add_argument("--path", help="catalog folder (default: settings.CATALOG_DIR)")
        load = actions.add_parser("load", help="check and store the catalog as a new version")
        load.add_argument("--path", help="catalog folder (default: settings.CATALOG_DIR)")
        load.add_argument("--actor", default=_default_actor(), help="who loads (journal)")
        listing = actions.add_parser("list", help="items, list types and measures")
        listing.add_argument("--json", action="store_true", help="print JSON")
        show = actions.add_parser("show", help="one entry's full definition")
        show.add_argument("code", help="an item, list type, measure, behaviour, department "
                                       "or publicity rule code")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def _path(self, path) -> Path:
        return Path(path) if path else Path(settings.CATALOG_DIR)

    def _fail(self, errors):
        for error in errors:
            self.stdout.write(str(error))
        raise CommandError(f"{len(errors)} error(s) in the catalog")

    def do_check(self, *, path=None, **_):
        root = self._path(path)
        result = parse_catalog(root)
        if result.errors:
            self._fail(result.errors)
        c = result.catalog
        fields = sum(len(i["fields"]) for i in c.items)
        self.stdout.write(
            f"{root}: OK — {len(c.departments)} departments, {len(c.items)} items "
            f"({fields} fields), {len(c.list_types)} list types, {len(c.behaviours)} "
            f"behaviours, {len(c.measures)} measures, {len(c.publicity_rules)} publicity rules, "
            f"{len(c.terms)} terms (edition {c.header['edition']}, sha256 {c.sha256[:12]})")

    def do_load(self, *, path=None, actor=None, **_):
        try:
            result = load_catalog(self._path(path), actor=actor or _default_actor())
        except CatalogInvalid as exc:
            self._fail(exc.errors)
        self.stdout.write(result.summary())
        for section, change in result.changes.items():
            self.stdout.write(self._change_line(section, change))

    @staticmethod
    def _change_line(section: str, change) -> str:
        if section == "header":
            return f"  header: {', '.join(change)}"
        parts = []
        if change["added"]:
            parts.append(f"added {display.codes(change['added'], 10)}")
        if change["removed"]:
            parts.append(f"removed {', '.join(change['removed'])}")
        for code, names in change["changed"].items():
            parts.append(f"changed {code} ({', '.join(names)})")
        return f"  {section}: " + "; ".join(parts)

    def do_list(self, *, json=False, **_):
        listing = display.catalog_listing()
        if not any(listing.values()):
            raise CommandError("no catalog loaded: run `xinyong catalog load`")
        if json:
            self.stdout.write(_json_dumps(listing))
            return
        self.stdout.write("\n".join(display.listing_lines(listing)))

    def do_show(self, *, code, **_):
        found = find_all(code)
        if not found:
            raise CommandError(f"no catalog entry with code {code!r}")
        blocks = ["\n".join(display.entry_lines(obj)) for obj in found]
        self.stdout.write("\n\n".join(blocks))


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
