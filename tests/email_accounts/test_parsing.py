"""Messages parsed with the standard email package; malformed ones never raise."""

from email.message import EmailMessage

from email_accounts.parsing import parse


def test_headers_addresses_and_bodies():
    message = EmailMessage()
    message["From"] = '"Ann Lee" <Ann@Acme.example>'
    message["To"] = "me@clianta.example, Bob <bob@acme.example>"
    message["Cc"] = "cy@acme.example"
    message["Subject"] = "Quarterly review"
    message["Date"] = "Mon, 02 Nov 2026 10:00:00 +0100"
    message["Message-ID"] = "<m2@acme.example>"
    message["In-Reply-To"] = "<m1@clianta.example>"
    message["References"] = "<m0@acme.example> <m1@clianta.example>"
    message.set_content("Plain words")
    message.add_alternative("<p>Rich <b>words</b></p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.4 data", maintype="application", subtype="pdf", filename="q4.pdf"
    )

    parsed = parse(message.as_bytes())

    assert (parsed.from_name, parsed.from_address) == ("Ann Lee", "ann@acme.example")
    assert parsed.to == ["me@clianta.example", "bob@acme.example"]
    assert parsed.cc == ["cy@acme.example"]
    assert parsed.message_id == "<m2@acme.example>"
    assert parsed.in_reply_to == "<m1@clianta.example>"
    assert parsed.references == ["<m0@acme.example>", "<m1@clianta.example>"]
    assert parsed.sent_at.isoformat() == "2026-11-02T10:00:00+01:00"
    assert parsed.text.strip() == "Plain words"
    assert "<b>words</b>" in parsed.html
    assert parsed.attachments == [
        {"filename": "q4.pdf", "content_type": "application/pdf", "size": 13}
    ]
    assert parsed.snippet == "Plain words"
    assert parsed.problems == []


def test_iso_8859_1_is_decoded():
    raw = (
        b"From: =?iso-8859-1?q?Andr=E9?= <andre@acme.example>\r\n"
        b"Subject: =?iso-8859-1?q?R=E9union?=\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Caf\xe9 demain ?\r\n"
    )
    parsed = parse(raw)
    assert parsed.from_name == "André"
    assert parsed.subject == "Réunion"
    assert parsed.text.strip() == "Café demain ?"


def test_a_malformed_message_is_read_as_far_as_possible():
    raw = (
        b"From: not an address\r\n"
        b"To: <<<>>>, ok@acme.example\r\n"
        b"Date: the day after tomorrow\r\n"
        b"Subject: still here\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\n"
        b"body \xff\xfe bytes\r\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "still here"
    assert parsed.from_address == ""
    assert "ok@acme.example" in parsed.to
    assert parsed.sent_at is None
    assert "body" in parsed.text
    assert parsed.problems  # what could not be read is reported


def test_empty_and_garbage_input():
    assert parse(b"").subject == ""
    assert parse(b"\x00\x01\x02 not mail at all").text.endswith("not mail at all")


def test_of_repeated_headers_the_first_counts_and_every_address_header_is_read():
    raw = (
        b"From: Ann <ann@acme.example>\r\n"
        b"To: a@acme.example\r\n"
        b"to: Bo <b@acme.example>\r\n"
        b"Subject: first\r\n"
        b"Subject: second\r\n"
        b"Message-ID: <1@acme.example>\r\n"
        b"Message-Id: <2@acme.example>\r\n\r\n"
        b"hi\r\n"
    )
    parsed = parse(raw)
    assert parsed.to == ["a@acme.example", "b@acme.example"]
    assert (parsed.subject, parsed.message_id) == ("first", "<1@acme.example>")
