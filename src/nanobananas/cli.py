"""The `nanobananas` command: serving, workers, data lifecycle, keys, audit, export, training set, staff TOTP,
and offline create/edit."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]

WORKER_STOP_SECONDS = 15


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nanobananas", description="Self-hostable AI image studio.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the web app (and, by default, a queue worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-worker", action="store_true", help="do not start a worker (run `nanobananas worker` elsewhere)"
    )
    serve.add_argument("--no-migrate", action="store_true", help="do not apply database migrations first")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS (self-signed for local use unless --cert/--key)")
    serve.add_argument("--cert", help="TLS certificate chain (PEM), with --tls")
    serve.add_argument("--key", help="TLS private key (PEM), with --tls")

    worker = sub.add_parser("worker", help="run a queue worker")
    worker.add_argument("--workers", type=int, default=None, help="worker threads (default from settings)")

    cleanup = sub.add_parser("cleanup", help="queue what is due and purge the cleanup queue, now")
    cleanup.add_argument("--dry-run", action="store_true", help="only print what is due; change nothing")

    retention = sub.add_parser("retention", help="retention tools")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    report = retention_sub.add_parser("report", help="items per state, overdue items, last runs")
    report.add_argument("--json", action="store_true", help="print JSON")

    stats = sub.add_parser("stats", help="the analytics dashboard's key numbers (from the daily aggregates)")
    stats.add_argument("--days", type=int, default=7, help="how many days up to today (default 7)")
    stats.add_argument("--json", action="store_true", help="print JSON")

    keys = sub.add_parser("keys", help="master key tools")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = keys_sub.add_parser(
        "rotate", help="re-wrap every data key under a new master key (blobs are not re-encrypted)"
    )
    rotate.add_argument(
        "--new-key-stdin",
        action="store_true",
        help="with NANOBANANAS_MASTER_KEY: read the new key (base64 of 32 bytes) from stdin instead of generating one",
    )

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_sub.add_parser("verify", help="recompute the hash chain; exit 1 if anything was changed or removed")
    search = audit_sub.add_parser("search", help="find events for an investigation")
    search.add_argument("--owner", help="owner key: u<user id> or g<guest id>")
    search.add_argument("--since", help="ISO date or time, e.g. 2026-11-01")
    search.add_argument("--kind", help="event kind or prefix, e.g. generation or hold.placed")
    search.add_argument("--limit", type=int, default=100)

    export = sub.add_parser("export", help="write one user's data archive (what 'Export my data' gives them)")
    export.add_argument("--user", required=True, metavar="EMAIL", help="the account's email address")
    export.add_argument("-o", "--output", required=True, metavar="FILE.zip")

    training = sub.add_parser(
        "training-set", help="write the images whose owners opted in to AI training, pseudonymized, with a manifest"
    )
    training.add_argument("-o", "--output", required=True, metavar="DIR", help="a new or empty directory")
    sub.add_parser("migrate", help="create or update the database tables")
    sub.add_parser("createsuperuser", help="create a staff account for the admin")
    staff = sub.add_parser("staff", help="staff account tools")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    totp = staff_sub.add_parser(
        "totp", help="enrol a staff account's authenticator app (replaces an earlier one); prints the QR code"
    )
    totp.add_argument("--email", required=True, help="the staff account's email address")

    create = sub.add_parser("create", help="make a designed image from a prompt")
    create.add_argument("prompt")
    create.add_argument("-o", "--output", required=True, help="output file; its extension picks the format")
    create.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1080x1350")

    providers = sub.add_parser("providers", help="list the AI providers and planners configured")
    providers.add_argument("--check", action="store_true", help="make each answer a cheap call; exit 1 if any fails")
    providers.add_argument("--json", action="store_true", help="print JSON")

    edit = sub.add_parser("edit", help="edit an image with a plain-English instruction")
    edit.add_argument("input")
    edit.add_argument("instruction")
    edit.add_argument("-o", "--output", required=True, help="output file; its extension picks the format")
    edit.add_argument("--plan", action="store_true", help="print the plan as JSON")

    tool = sub.add_parser("tool", help="run an AI tool on image files (nanobananas tool --list shows them)")
    tool.add_argument("name", nargs="?", metavar="NAME", help="the tool, e.g. remove-background or id-photo")
    tool.add_argument("inputs", nargs="*", metavar="INPUT", help="the image files the tool works on")
    tool.add_argument("-o", "--output", help="output file; a folder or a .zip when the tool makes several files")
    tool.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a tool parameter")
    tool.add_argument("--mask", metavar="FILE", help="mask image for erase-object: white marks what to remove")
    tool.add_argument("--preview", action="store_true", help="a fast small render (slow tools only)")
    tool.add_argument("--list", action="store_true", help="list the tools and their parameters")
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanobananas.config.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _blob_storage_ready() -> bool:
    """Refuse to start when a purge could not delete every copy of a blob (say, an unreadable S3 versioning)."""
    from django.core.exceptions import ImproperlyConfigured

    from nanobananas.vault.storage import blob_storage_ready

    try:
        blob_storage_ready()
    except ImproperlyConfigured as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    return True


def _serve(host: str, port: int, *, with_worker: bool, migrate: bool, tls: tuple[str | None, str | None] | None) -> int:
    _setup_django()
    if not _blob_storage_ready():
        return 2
    if migrate:
        _manage("migrate", "--no-input", "--verbosity", "0")
    # Static files under hashed names, before the app (whose static middleware reads the manifest) is loaded.
    _manage("collectstatic", "--no-input", "--verbosity", "0")
    import uvicorn
    from django.conf import settings

    ssl: dict[str, str] = {}
    if tls is not None:
        from nanobananas.core.tls import self_signed_certificate

        cert, key = tls
        if cert is None or key is None:
            made_cert, made_key = self_signed_certificate(settings.DATA_DIR / "tls")
            cert, key = str(made_cert), str(made_key)
            print(f"serving HTTPS with a self-signed certificate ({cert}); browsers will warn", file=sys.stderr)
        ssl = {"ssl_certfile": cert, "ssl_keyfile": key}

    # uvicorn would trust X-Forwarded-For from 127.0.0.1 by default: a client behind no proxy could then choose
    # the address that sign-in locks and rate limits count. Only proxies named in NANOBANANAS_TRUSTED_PROXIES.
    proxies = settings.NANOBANANAS["TRUSTED_PROXIES"]
    child: subprocess.Popen[bytes] | None = None
    if with_worker:
        child = subprocess.Popen([sys.executable, "-m", "nanobananas.cli", "worker"])
    try:
        uvicorn.run(
            "nanobananas.config.asgi:application",
            host=host,
            port=port,
            lifespan="off",
            log_level="info",
            timeout_graceful_shutdown=5,
            proxy_headers=bool(proxies),
            forwarded_allow_ips=",".join(proxies) or None,
            **ssl,  # type: ignore[arg-type]  # uvicorn.run's keyword types are narrower than a dict
        )
    finally:
        if child is not None:
            _stop_worker(child)
    return 0


def _stop_worker(child: subprocess.Popen[bytes]) -> None:
    """Ask the worker to finish its current task, then insist."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _worker(workers: int | None) -> int:
    _setup_django()
    if not _blob_storage_ready():
        return 2
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    from nanobananas.studio.rescue import RescueWatch
    from nanobananas.studio.tasks import run_job
    from nanobananas.studio.worker_memory import WorkerMemory

    # Looks at once (jobs a worker that died before this one started left behind), then every few seconds.
    RescueWatch().start()
    # Videos have a queue and a thread of their own in every worker: a render never delays an image edit.
    from nanobananas.studio.video_tasks import video_queue_consumer_start

    video_queue_consumer_start()
    args = ["run_huey"]
    if workers is not None:
        args += ["--workers", str(workers)]
    # After a large job that leaves the process big, SIGHUP asks huey for a graceful restart: running
    # tasks finish, then huey re-executes `python *sys.argv`, so the memory goes back to the system and
    # the fresh process starts as small as a new one. sys.argv is made the module form, which works
    # however the worker was started (console script, `python -m`, or `serve`).
    sys.argv = ["-m", "nanobananas.cli", "worker", *args[1:]]
    memory = WorkerMemory(
        task_class=run_job.task_class,
        recycle_bytes=int(settings.NANOBANANAS["WORKER_RECYCLE_MB"]) * 1024 * 1024,
        recycle=lambda: os.kill(os.getpid(), signal.SIGHUP),
    )
    HUEY.pre_execute(name="worker_memory")(memory.before)
    HUEY.post_execute(name="worker_memory")(memory.after)
    _manage(*args)
    return 0


def _cleanup(*, dry_run: bool) -> int:
    _setup_django()
    from nanobananas.privacy.services import cleanup_run

    result = cleanup_run(dry_run=dry_run)
    if result.dry_run:
        due = ", ".join(f"{kind}: {count}" for kind, count in result.due.items())
        print(f"due now (nothing changed): {due}")
        return 0
    queued = ", ".join(f"{kind}: {count}" for kind, count in result.sweep.queued.items())
    purged = ", ".join(f"{kind}: {count}" for kind, count in result.purge.purged.items()) or "nothing"
    print(f"queued: {queued}")
    print(f"purged: {purged}")
    print(f"bytes freed: {result.purge.bytes_freed}")
    print(f"receipts written: {result.purge.receipts}")
    if result.purge.blobs_failed:
        print(f"blob deletions to retry: {result.purge.blobs_failed}", file=sys.stderr)
        return 1
    return 0


def _keys_rotate(*, new_key_stdin: bool) -> int:
    _setup_django()
    import base64

    from django.conf import settings

    from nanobananas.audit.services import audit_record
    from nanobananas.vault.exceptions import VaultError
    from nanobananas.vault.keyring import master_key_decode, master_key_generate
    from nanobananas.vault.services import master_key_file_rotate, master_key_rotate

    try:
        if not settings.VAULT.get("MASTER_KEY"):
            count = master_key_file_rotate()
            audit_record(kind="keys.rotated", actor="operator", details={"data_keys": count, "source": "key file"})
            print(f"re-wrapped {count} data key(s); the new master key is in {settings.VAULT['MASTER_KEY_FILE']}")
            print("back up that file now, separately from the data; the old key no longer opens anything")
            return 0
        new_key = master_key_decode(sys.stdin.read(), source="stdin") if new_key_stdin else master_key_generate()
        count = master_key_rotate(new_master_key=new_key)
        audit_record(kind="keys.rotated", actor="operator", details={"data_keys": count, "source": "environment"})
    except VaultError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"re-wrapped {count} data key(s).", file=sys.stderr)
    print("set NANOBANANAS_MASTER_KEY to this value in every process, then drop the old one:", file=sys.stderr)
    if not new_key_stdin:
        print(base64.b64encode(new_key).decode())
    return 0


def _export(*, email: str, output: str) -> int:
    _setup_django()
    from pathlib import Path

    from nanobananas.core.exceptions import NotFound
    from nanobananas.privacy.export import export_for_operator

    try:
        written = export_for_operator(email=email, output=Path(output))
    except NotFound:
        print(f"error: no account with the email {email!r}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {written} ({written.stat().st_size} bytes)")
    return 0


def _training_set(*, output: str) -> int:
    _setup_django()
    from pathlib import Path

    from nanobananas.privacy.training import BadOutputDirectory, training_set_write

    try:
        result = training_set_write(output=Path(output))
    except BadOutputDirectory as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    excluded = ", ".join(f"{reason} {count}" for reason, count in result.excluded.items())
    print(f"wrote {result.written} images to {result.output} (excluded: {excluded})")
    return 0


def _audit(args: argparse.Namespace) -> int:
    _setup_django()
    import json

    from nanobananas.audit.selectors import audit_search
    from nanobananas.audit.services import audit_verify

    if args.audit_command == "verify":
        result = audit_verify()
        if result.ok:
            print(f"audit chain intact: {result.checked} event(s) verified")
            return 0
        print(f"audit chain BROKEN at event #{result.first_bad_id}: {result.problem}", file=sys.stderr)
        return 1
    try:
        events = audit_search(owner_key=args.owner, since=args.since, kind=args.kind, limit=args.limit)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for event in events:
        line = {
            "id": event.id,
            "at": event.at.isoformat(),
            "kind": event.kind,
            "actor": event.actor,
            "owner": event.owner_key,
            "target": f"{event.target_type}:{event.target_id}" if event.target_type else "",
            "details": event.details,
        }
        print(json.dumps(line, sort_keys=True))
    return 0


def _staff_totp(*, email: str) -> int:
    _setup_django()
    import qrcode

    from nanobananas.core.exceptions import DomainError
    from nanobananas.core.staff import staff_totp_enrol

    try:
        device = staff_totp_enrol(email=email)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print("Scan this with an authenticator app; the admin then asks for its 6-digit code")
    print("(when NANOBANANAS_ADMIN_OTP is on). Any earlier authenticator of this account stops working.")
    print(device.config_url)
    code = qrcode.QRCode(border=2)
    code.add_data(device.config_url)
    code.print_ascii(out=sys.stdout, invert=True)
    return 0


def _retention_report(*, as_json: bool) -> int:
    _setup_django()
    import json

    from nanobananas.privacy.selectors import retention_report

    report = retention_report()
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for name, states in report.states.items():
            counts = ", ".join(f"{state}: {n}" for state, n in sorted(states.items())) or "none"
            print(f"{name}: {counts}")
            overdue = report.oldest_overdue[name]
            queued = report.oldest_queued[name]
            print(f"  oldest overdue: {overdue.isoformat() if overdue else 'none'}")
            print(f"  oldest in queue since: {queued.isoformat() if queued else 'none'}")
        print(f"blob deletions waiting: {report.pending_blob_deletions}")
        for kind, when in report.last_runs.items():
            print(f"last {kind}: {when.isoformat() if when else 'never'}")
        print(f"deletion receipts: {report.receipts}")
    if report.late:
        print(f"OVERDUE by more than two sweep intervals: {', '.join(report.late)}", file=sys.stderr)
        return 1
    return 0


def _stats(*, days: int, as_json: bool) -> int:
    if not 1 <= days <= 366:
        print("error: --days is 1 to 366", file=sys.stderr)
        return 2
    _setup_django()
    import json

    from nanobananas.analytics.dashboard import dashboard_get, stats_lines

    totals = dashboard_get(days=days).totals()
    print(json.dumps(totals, indent=2) if as_json else "\n".join(stats_lines(totals)))
    return 0


def _generative_functions() -> tuple[Any, Any] | None:
    """A cloud image provider's edit and create functions when one is configured; the built-in
    engine alone needs no settings, so edit and create stay quick without one."""
    from nanobananas.providers.commands import cloud_configured

    if not cloud_configured(dict(os.environ)):
        return None
    _setup_django()
    from nanobananas.providers.commands import generative_functions

    return generative_functions()


def _report_written(output: str, *, file: TextIO) -> None:
    """Say what `create` or `edit` wrote: the file as named, its pixels and format, its size in bytes and its folder."""
    from nanobananas.engine.safety import probe_image

    path = Path(output).resolve()
    data = path.read_bytes()
    info = probe_image(data)
    shape = f"{info.width}x{info.height} {info.format.upper()}"
    print(f"wrote {output} ({shape}, {len(data)} bytes) in {path.parent}", file=file)


def _tool(args: argparse.Namespace) -> int:
    """`nanobananas tool`: offline through the engine; a generative tool uses a configured cloud provider."""
    from nanobananas.engine.tools.command import tool_command, tools_list

    if args.list:
        return tools_list()
    if not args.name or not args.output:
        print("error: give a tool NAME, its INPUT files and -o OUT (or --list)", file=sys.stderr)
        return 2
    from nanobananas.engine.tools import TOOLS

    functions = _generative_functions() if args.name in TOOLS and TOOLS[args.name].generative else None
    return tool_command(
        name=args.name,
        inputs=args.inputs,
        output=args.output,
        params=args.param,
        mask=args.mask,
        preview=args.preview,
        generative=functions[0] if functions else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        # Ctrl-C before a command was fully up: stop quietly, as after it.
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        if (args.cert or args.key) and not (args.tls and args.cert and args.key):
            print("error: --cert and --key go together, with --tls", file=sys.stderr)
            return 2
        if args.tls:
            # Read by the settings (and inherited by the worker): Secure cookies, HSTS, redirects.
            os.environ["NANOBANANAS_HTTPS"] = "true"
        return _serve(
            args.host,
            args.port,
            with_worker=not args.no_worker,
            migrate=not args.no_migrate,
            tls=(args.cert, args.key) if args.tls else None,
        )
    if args.command == "worker":
        return _worker(args.workers)
    if args.command == "cleanup":
        return _cleanup(dry_run=args.dry_run)
    if args.command == "retention":
        return _retention_report(as_json=args.json)
    if args.command == "stats":
        return _stats(days=args.days, as_json=args.json)
    if args.command == "export":
        return _export(email=args.user, output=args.output)
    if args.command == "training-set":
        return _training_set(output=args.output)
    if args.command == "audit":
        return _audit(args)
    if args.command == "staff":
        return _staff_totp(email=args.email)
    if args.command == "keys":
        return _keys_rotate(new_key_stdin=args.new_key_stdin)
    if args.command in {"migrate", "createsuperuser"}:
        _setup_django()
        _manage(args.command)
        return 0
    if args.command == "providers":
        _setup_django()
        from nanobananas.providers.commands import providers_command

        return providers_command(check=args.check, as_json=args.json)
    if args.command == "create":
        from nanobananas.engine.commands import create_command

        functions = _generative_functions()
        status = create_command(
            prompt=args.prompt, output=args.output, size=args.size, generative=functions[1] if functions else None
        )
        if status == 0:
            _report_written(args.output, file=sys.stdout)
        return status
    if args.command == "tool":
        return _tool(args)
    if args.command == "edit":
        from nanobananas.engine.commands import edit_command

        functions = _generative_functions()
        status = edit_command(
            input_path=args.input,
            instruction=args.instruction,
            output=args.output,
            show_plan=args.plan,
            generative=functions[0] if functions else None,
        )
        if status == 0:
            # With --plan, stdout holds the plan as one JSON document; the report goes beside it.
            _report_written(args.output, file=sys.stderr if args.plan else sys.stdout)
        return status
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
