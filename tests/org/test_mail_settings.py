"""Mail and two-factor settings from the environment: each case runs a fresh interpreter."""

import json
import os
import subprocess
import sys

PRODUCTION = {"EGOV_ENV": "production", "EGOV_SECRET_KEY": "k" * 10 + "x9Qz!r7T-2mLp0vWs8eYb4NcHu6Ja1Df",
              "EGOV_ALLOWED_HOSTS": "dichvucong.example.vn", "EGOV_SECURE_COOKIES": "1", "EGOV_DEMO": "0"}
SHOW = ("import json, django; django.setup(); from django.conf import settings as s; {send}"
        "print(json.dumps({{k: str(getattr(s, k, '')) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT',"
        " 'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL', 'REQUIRE_2FA_ADMINS')}}))")


def run(env_overrides: dict, tmp_path, send: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update({"EGOV_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "egov.settings", **env_overrides})
    result = subprocess.run([sys.executable, "-c", SHOW.format(send=send)], env=env, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_smtp_a_developer_reads_mail_as_files_under_the_data_dir(tmp_path):
    send = "from django.core.mail import send_mail; send_mail('Thử', 'Liên kết: http://x/', 'a@b.vn', ['c@d.vn']); "
    shown = run({}, tmp_path, send=send)
    assert shown["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    [message] = (tmp_path / "mail").iterdir()
    assert "c@d.vn" in message.read_text()
    assert shown["REQUIRE_2FA_ADMINS"] == "False"


def test_smtp_is_configured_from_the_environment(tmp_path):
    shown = run({"EGOV_SMTP_HOST": "smtp.example.vn", "EGOV_MAIL_FROM": "Cổng DVC <dvc@example.vn>"}, tmp_path)
    assert shown["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (shown["EMAIL_HOST"], shown["EMAIL_PORT"], shown["EMAIL_USE_TLS"]) == ("smtp.example.vn", "587", "True")
    assert shown["DEFAULT_FROM_EMAIL"] == "Cổng DVC <dvc@example.vn>"


def test_production_requires_two_factor_for_administrators_by_default(tmp_path):
    assert run(PRODUCTION, tmp_path)["REQUIRE_2FA_ADMINS"] == "True"
    assert run({**PRODUCTION, "EGOV_REQUIRE_2FA_ADMINS": "0"}, tmp_path)["REQUIRE_2FA_ADMINS"] == "False"


def test_production_without_smtp_starts_but_warns_at_every_check(settings):
    from egov.org.checks import mail_configured

    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    [warning] = mail_configured(None)
    assert warning.id == "egov.W001" and "EGOV_SMTP_HOST" in warning.msg
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert mail_configured(None) == []


class _SmtpSink:
    """A loopback SMTP server that keeps what it is sent: just enough of RFC 5321 for a client."""

    def __init__(self):
        import socketserver
        import threading

        self.messages: list[str] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line.strip().split(b" ")[0].upper()
                    if verb == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        body = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                        sink.messages.append(body.decode("utf-8", "replace"))
                        self.wfile.write(b"250 kept\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_mail_goes_out_through_the_configured_smtp_server(tmp_path):
    sink = _SmtpSink()
    try:
        send = ("from django.core.mail import send_mail; "
                "send_mail('Đặt lại mật khẩu', 'Liên kết một lần', None, ['dan@example.vn']); ")
        run({"EGOV_SMTP_HOST": "127.0.0.1", "EGOV_SMTP_PORT": str(sink.port), "EGOV_SMTP_TLS": "0",
             "EGOV_MAIL_FROM": "dvc@example.vn"}, tmp_path, send=send)
    finally:
        sink.close()
    [message] = sink.messages
    assert "To: dan@example.vn" in message and "From: dvc@example.vn" in message
    assert not (tmp_path / "mail").exists()
