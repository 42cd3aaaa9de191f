"""`egov exchange ...`: peers and the outbox from the command line (scriptable: `peer add` prints
the new peer's id alone on its last line).

    egov exchange peer add --name "Tỉnh B" --endpoint http://127.0.0.1:8002/api/v1/exchange/edxml \
        --outbound-key KEY [--inbound-key-prefix PREFIX | --inbound-key KEY] [--kind egov] \
        [--require-signature] --agency 000.00.01.H02="UBND tỉnh B" [--agency ...]
    egov exchange peer list
    egov exchange peer agencies PEER_ID --agency CODE=Tên ... [--replace]
    egov exchange peer update PEER_ID [--endpoint URL] [--outbound-key KEY] [--inbound-key-prefix P] ...
    egov exchange peer deactivate PEER_ID
    egov exchange outbox [--state pending|sent|failed|held]
    egov exchange resend DELIVERY_ID
    egov exchange sweep
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from egov.api.models import ApiKey, hash_key
from egov.core.errors import DomainError
from egov.exchange import delivery, peers
from egov.exchange.models import Delivery, Peer


def _agency(text: str) -> tuple[str, str]:
    code, _, name = text.partition("=")
    if not code.strip():
        raise CommandError(f"--agency phải có dạng MÃ=Tên, nhận được “{text}”.")
    return code.strip(), name.strip()


def _api_key(prefix: str | None, raw: str | None) -> ApiKey | None:
    if raw:
        found = ApiKey.objects.filter(key_hash=hash_key(raw.strip())).first()
        if found is None:
            raise CommandError("Không tìm thấy khóa API đã cho (--inbound-key).")
        return found
    if prefix:
        found = ApiKey.objects.filter(prefix=prefix.strip()).first()
        if found is None:
            raise CommandError(f"Không tìm thấy khóa API có tiền tố {prefix}.")
        return found
    return None


def _peer(peer_id: int) -> Peer:
    found = Peer.objects.filter(pk=peer_id).first()
    if found is None:
        raise CommandError(f"Không có đầu mối liên thông số {peer_id}.")
    return found


class Command(BaseCommand):
    help = "Exchange (liên thông): peers, their agencies, the outbox. See `egov exchange peer add --help`."

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True)
        peer = groups.add_parser("peer", help="đầu mối liên thông").add_subparsers(dest="action", required=True)

        add = peer.add_parser("add", help="thêm đầu mối; in số của đầu mối ở dòng cuối")
        add.add_argument("--name", required=True)
        add.add_argument("--kind", choices=Peer.Kind.values, default=Peer.Kind.EGOV)
        add.add_argument("--endpoint", default="", help="địa chỉ nhận edXML của đầu mối")
        add.add_argument("--outbound-key", default="", help="khóa API đầu mối cấp cho ta (lưu mã hóa)")
        add.add_argument("--inbound-key-prefix", help="tiền tố khóa API exchange:write mà đầu mối gọi đến ta")
        add.add_argument("--inbound-key", help="hoặc chính khóa đó")
        add.add_argument("--require-signature", action="store_true")
        add.add_argument("--agency", action="append", default=[], type=_agency, metavar="MÃ=Tên")

        peer.add_parser("list", help="các đầu mối")

        agencies = peer.add_parser("agencies", help="thêm (hoặc --replace: đặt lại) cơ quan qua đầu mối")
        agencies.add_argument("peer_id", type=int)
        agencies.add_argument("--agency", action="append", default=[], type=_agency, metavar="MÃ=Tên")
        agencies.add_argument("--replace", action="store_true")

        update = peer.add_parser("update", help="sửa đầu mối")
        update.add_argument("peer_id", type=int)
        update.add_argument("--name")
        update.add_argument("--endpoint")
        update.add_argument("--outbound-key")
        update.add_argument("--inbound-key-prefix")
        update.add_argument("--inbound-key")
        update.add_argument("--require-signature", choices=["yes", "no"])
        update.add_argument("--active", choices=["yes", "no"])

        deactivate = peer.add_parser("deactivate", help="ngừng đầu mối")
        deactivate.add_argument("peer_id", type=int)

        outbox = groups.add_parser("outbox", help="hàng đợi gửi")
        outbox.add_argument("--state", choices=Delivery.State.values)
        resend = groups.add_parser("resend", help="gửi lại một lượt gửi lỗi")
        resend.add_argument("delivery_id", type=int)
        groups.add_parser("sweep", help="đưa lại vào hàng đợi các lượt gửi đến hạn mà chưa ai gửi")

    def handle(self, *args, group, **options):
        try:
            if group == "peer":
                getattr(self, f"_peer_{options['action']}")(**options)
            elif group == "outbox":
                self._outbox(options.get("state"))
            elif group == "resend":
                row = Delivery.objects.filter(pk=options["delivery_id"]).first()
                if row is None:
                    raise CommandError(f"Không có lượt gửi số {options['delivery_id']}.")
                row = delivery.resend(actor=None, delivery=row)
                self.stdout.write(f"Đã đưa lượt gửi {row.pk} đến {row.to_code} vào hàng đợi gửi lại.")
            elif group == "sweep":
                self.stdout.write(f"Đã đưa lại {delivery.requeue_due(grace=0)} lượt gửi vào hàng đợi.")
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _peer_add(self, *, name, kind, endpoint, outbound_key, inbound_key_prefix, inbound_key, require_signature,
                  agency, **options):
        peer = peers.create_peer(actor=None, name=name, kind=kind, endpoint=endpoint, outbound_key=outbound_key,
                                 api_key=_api_key(inbound_key_prefix, inbound_key),
                                 require_signature=require_signature, agency_codes=agency)
        self.stdout.write(f"Đã thêm đầu mối liên thông '{peer.name}' với {peer.agencies.count()} cơ quan. Số:")
        self.stdout.write(str(peer.pk))

    def _peer_list(self, **options):
        for peer in Peer.objects.prefetch_related("agencies").select_related("api_key"):
            health = ("lỗi " + peer.last_failure_at.isoformat(timespec="seconds")
                      if peer.last_failure_at and (not peer.last_success_at or peer.last_failure_at > peer.last_success_at)
                      else "tốt" if peer.last_success_at else "chưa gửi")
            self.stdout.write(
                f"{peer.pk}\t{peer.name}\t{peer.kind}\t{'hoạt động' if peer.is_active else 'ngừng'}\t"
                f"{peer.endpoint or '-'}\tkhóa gọi đến: {peer.api_key.prefix if peer.api_key else '-'}\t"
                f"khóa gọi đi: {'có' if peer.outbound_key_sealed else 'không'}\t{health}")
            for remote in peer.agencies.all():
                self.stdout.write(f"\t{remote.code}\t{remote.name}")

    def _peer_agencies(self, *, peer_id, agency, replace, **options):
        peer = _peer(peer_id)
        service = peers.set_agencies if replace else peers.add_agencies
        peer = service(actor=None, peer=peer, agency_codes=agency)
        self.stdout.write(f"Đầu mối '{peer.name}' chuyển đến {peer.agencies.count()} cơ quan.")

    def _peer_update(self, *, peer_id, name, endpoint, outbound_key, inbound_key_prefix, inbound_key,
                     require_signature, active, **options):
        changes = {key: value for key, value in (("name", name), ("endpoint", endpoint),
                                                 ("outbound_key", outbound_key)) if value is not None}
        if inbound_key_prefix or inbound_key:
            changes["api_key"] = _api_key(inbound_key_prefix, inbound_key)
        if require_signature:
            changes["require_signature"] = require_signature == "yes"
        if active:
            changes["is_active"] = active == "yes"
        peer = peers.update_peer(actor=None, peer=_peer(peer_id), **changes)
        self.stdout.write(f"Đã sửa đầu mối liên thông '{peer.name}'.")

    def _peer_deactivate(self, *, peer_id, **options):
        peer = peers.deactivate_peer(actor=None, peer=_peer(peer_id))
        self.stdout.write(f"Đã ngừng đầu mối liên thông '{peer.name}'.")

    def _outbox(self, state):
        rows = Delivery.objects.select_related("peer", "message").order_by("-created_at", "-id")
        if state:
            rows = rows.filter(state=state)
        for row in rows[:200]:
            what = (f"trạng thái {row.message.status_code}" if row.message.kind == "status"
                    else f"văn bản {row.message.document_key}")
            self.stdout.write(f"{row.pk}\t{row.state}\t{row.to_code}\t{row.peer.name if row.peer else '-'}\t{what}\t"
                              f"lần {row.attempts}\t{row.last_error[:120]}")
