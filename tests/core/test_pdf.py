"""Certificate PDFs, checked with Debian's own readers: poppler and zbar.

No database: these are plain functions. A missing tool or font fails the test
with the package to install; nothing is skipped.
"""
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
import segno
from flask import Flask
from reportlab.pdfbase import pdfmetrics

from app import pdf

APT = "apt-get install -y poppler-utils zbar-tools fonts-wqy-zenhei"
A4_LONG, A4_SHORT = 841.89, 595.28
INNER_BORDER = 30  # draw_border's gold frame, in points from the page edge

CERTIFICATES = [
    pdf.AwardCertificate(
        number="XZ-2025-0001",
        holder="王建国",
        unit="徐州和润起重有限公司",
        competition="徐州市第十届职工职业技能大赛",
        event="焊工项目",
        award="一等奖",
        rank=1,
        final_score=Decimal("95.50"),
        issued_on=date(2025, 6, 1),
        issuer="徐州市总工会",
        verify_url="https://skills.example.cn/verify/XZ-2025-0001?c=7f3a9b2c",
        honours=("推荐五一劳动奖章", "授予徐州市技术能手称号"),
    ),
    # Long on purpose: unit, competition and joint issuers must wrap or shrink,
    # and the non-ASCII verify URL exercises the QR code's ECI.
    pdf.AwardCertificate(
        number="XZ-2025-0002",
        holder="欧阳建国明远达",
        unit="江苏省徐州市经济技术开发区和润重型起重机械制造股份有限公司第三分公司焊接车间",
        competition="2025年江苏省徐州市第十届“技能强市”职工职业技能大赛暨全国技能大赛选拔赛",
        event="电工（高压电气设备安装与维护）项目",
        award="二等奖",
        rank=2,
        final_score=Decimal("88.25"),
        issued_on=date(2025, 12, 31),
        issuer="徐州市总工会、徐州市人力资源和社会保障局、徐州市工业和信息化局",
        verify_url="https://skills.example.cn/查验?编号=XZ-2025-0002&姓名=欧阳建国明远达",
    ),
]


def run(tool, *args, binary=False):
    """A Debian tool's standard output; fails (never skips) when the tool is missing."""
    if shutil.which(tool) is None:
        pytest.fail(f"`{tool}` is not installed: {APT}", pytrace=False)
    result = subprocess.run([tool, *args], capture_output=True, text=not binary)
    assert result.returncode == 0, f"{tool} {' '.join(map(str, args))} failed: {result.stderr}"
    return result.stdout


def squash(text):
    # pdftotext breaks wrapped lines anywhere; compare without whitespace.
    return "".join(text.split())


@pytest.fixture(scope="module")
def certificate_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "certificates.pdf"
    # A generator: the renderer must not need a list.
    path.write_bytes(pdf.award_certificates(c for c in CERTIFICATES))
    return path


def page_words(path):
    """Each page's words as (text, x0, y0, x1, y1), y from the top, via pdftotext -bbox."""
    html = run("pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
    pages = []
    for page in re.findall(r"<page .*?</page>", html, re.S):
        pages.append([
            (unescape(text), *map(float, box))
            for *box, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                page,
            )
        ])
    return pages


def decode_qr(png_path):
    return run("zbarimg", "--raw", "-q", png_path).rstrip("\n")


def test_is_an_a4_landscape_pdf_with_one_page_per_certificate(certificate_pdf):
    assert certificate_pdf.read_bytes().startswith(b"%PDF-")
    info = run("pdfinfo", certificate_pdf)
    assert re.search(r"^Pages:\s+2$", info, re.M)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width, 1), round(height, 1)) == (round(A4_LONG, 1), round(A4_SHORT, 1))
    assert re.search(r"^Title:\s+荣誉证书$", info, re.M)
    assert re.search(r"^Author:\s+徐州市总工会", info, re.M)
    assert "徐州市第十届职工职业技能大赛" in re.search(r"^Subject:(.*)$", info, re.M).group(1)


def test_chinese_text_is_extractable(certificate_pdf):
    # Extraction only works when the embedded font carries a ToUnicode map.
    pages = run("pdftotext", "-enc", "UTF-8", certificate_pdf, "-").split("\f")
    first, second = squash(pages[0]), squash(pages[1])
    for expected in ("荣誉证书", "CERTIFICATEOFAWARD", "王建国", "徐州和润起重有限公司",
                     "徐州市第十届职工职业技能大赛焊工项目中荣获一等奖", "第1名，成绩95.50分",
                     "推荐五一劳动奖章", "XZ-2025-0001", "2025年6月1日", "徐州市总工会", "扫码查验"):
        assert expected in first, expected
    for field in ("holder", "unit", "competition", "event", "award", "issuer", "number"):
        assert squash(getattr(CERTIFICATES[1], field)) in second, field
    assert "2025年12月31日" in second
    assert "所获荣誉" not in second  # no honours, no honours line


def test_chinese_font_is_embedded_and_no_cid_font_is_used(certificate_pdf):
    listing = run("pdffonts", certificate_pdf).splitlines()
    header, rows = listing[0], listing[2:]
    emb = header.index("emb")
    face = pdfmetrics.getFont(pdf.cjk_font()).face.name.decode()
    cjk_rows = [row for row in rows if face in row]
    assert cjk_rows, listing
    for row in rows:
        name = row.split()[0]
        assert "STSong" not in name
        if name != "Helvetica":  # the one standard font, for Latin labels
            assert row[emb:emb + 11].split() == ["yes", "yes", "yes"], row  # embedded, subset, unicode map


def test_qr_codes_decode_to_the_verify_urls(certificate_pdf, tmp_path):
    for number, certificate in enumerate(CERTIFICATES, start=1):
        prefix = tmp_path / f"page{number}"
        run("pdftoppm", "-r", "150", "-png", "-f", str(number), "-l", str(number), "-singlefile",
            certificate_pdf, prefix)
        assert decode_qr(f"{prefix}.png") == certificate.verify_url


def test_non_ascii_qr_payload_round_trips(tmp_path):
    payload = "https://skills.example.cn/查验?编号=XZ-2025-0001&姓名=王建国"
    png = tmp_path / "qr.png"
    segno.make(payload, error="m", eci=True).save(png, scale=6)
    assert decode_qr(png) == payload


def test_layout_keeps_text_inside_the_border_and_apart(certificate_pdf):
    for words in page_words(certificate_pdf):
        for text, x0, y0, x1, y1 in words:
            assert INNER_BORDER < x0 and x1 < A4_LONG - INNER_BORDER, text
            assert INNER_BORDER < y0 and y1 < A4_SHORT - INNER_BORDER, text
        for i, (a, *box_a) in enumerate(words):
            for b, *box_b in words[i + 1:]:
                overlap_x = min(box_a[2], box_b[2]) - max(box_a[0], box_b[0])
                overlap_y = min(box_a[3], box_b[3]) - max(box_a[1], box_b[1])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)
        where = {text: (x0, x1) for text, x0, _, x1, _ in words}
        title = where["荣誉证书"]
        assert abs((title[0] + title[1]) / 2 - A4_LONG / 2) < 2  # centred
        caption = where["扫码查验"]
        assert abs((caption[0] + caption[1]) / 2 - A4_LONG / 2) < 2
        number = next(box for text, *box in words if text.startswith("XZ-2025-"))
        assert number[2] < A4_LONG / 3  # bottom left
        date_box = next(box for text, *box in words if re.fullmatch(r"2025年\d+月\d+日", text))
        assert date_box[0] > A4_LONG * 2 / 3 and date_box[1] > A4_SHORT * 0.8  # bottom right


def test_large_batches_embed_the_font_once(tmp_path):
    template = CERTIFICATES[0]
    batch = (
        pdf.AwardCertificate(**{**template.__dict__, "number": f"XZ-2025-{i:04d}",
                                "verify_url": f"https://skills.example.cn/verify/XZ-2025-{i:04d}"})
        for i in range(100)
    )
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf.award_certificates(batch))
    assert re.search(r"^Pages:\s+100$", run("pdfinfo", path), re.M)
    assert path.stat().st_size < 100 * 15_000  # a QR image per page, not a font per page


def test_empty_batch_is_refused():
    with pytest.raises(ValueError):
        pdf.award_certificates([])


def test_missing_configured_font_is_a_clear_error(tmp_path):
    missing = str(tmp_path / "no-such-font.ttc")
    with pytest.raises(RuntimeError, match="PDF_CJK_FONT.*fonts-wqy-zenhei"):
        pdf.cjk_font_path(missing)

    app = Flask(__name__)
    app.config["PDF_CJK_FONT"] = missing
    with app.app_context():
        with pytest.raises(RuntimeError, match="PDF_CJK_FONT"):
            pdf.award_certificates(CERTIFICATES)
        app.config["PDF_CJK_FONT"] = ""  # empty means: search Debian's fonts
        assert pdf.cjk_font_path() in pdf.FONT_CANDIDATES


def test_configured_font_is_used(tmp_path):
    custom = tmp_path / "custom.ttc"
    shutil.copyfile(pdf.cjk_font_path(), custom)
    app = Flask(__name__)
    app.config["PDF_CJK_FONT"] = str(custom)
    with app.app_context():
        assert pdf.cjk_font_path() == str(custom)
        assert pdf.award_certificates(CERTIFICATES[:1]).startswith(b"%PDF-")


def test_no_font_anywhere_names_the_key_and_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", (str(tmp_path / "absent.ttc"),))
    with pytest.raises(RuntimeError, match="PDF_CJK_FONT.*fonts-wqy-zenhei"):
        pdf.cjk_font_path()


def test_a_file_that_is_not_a_truetype_font_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(RuntimeError, match="PDF_CJK_FONT"):
        pdf.cjk_font(str(bogus))
