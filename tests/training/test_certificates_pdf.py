"""Qualification certificate PDFs and the course ZIP, read back with Debian's own
tools: pdftotext for the facts, pdftoppm + zbarimg for the QR code."""
import io
import re
import zipfile
from datetime import date, timedelta

import pytest

from app import pdf
from app.training import services
from tests.core.test_pdf import decode_qr, page_words, run, squash
from tests.training.test_certificates import certified  # noqa: F401 (a fixture)
from tests.training.conftest import hold

A4_SHORT, A4_LONG = 595.28, 841.89
INNER_BORDER = 30

SAMPLES = [
    pdf.QualificationCertificate(
        number="XZ-2026-HG-000001", holder="魏小红", title="焊工从业资格证书", course="焊工（初级）培训班",
        trade="焊工", level="五级/初级工", issuer="徐州焊工实训基地", awarded_on=date(2026, 3, 1),
        issued_on=date(2026, 3, 1), expires_on=date(2029, 2, 28),
        verify_url="https://skills.example.cn/verify/3q2-9xJv_Lk0aZ1mN4bQ7w",
    ),
    # Long on purpose: title, course, trade and issuer must wrap or shrink inside the frame.
    pdf.QualificationCertificate(
        number="XZ-2026-DG-000123", holder="欧阳建国明远达",
        title="江苏省徐州市高压电气设备安装与维护电工从业资格证书（特种作业）",
        course="2026年徐州市经济技术开发区和润重型起重机械制造股份有限公司高压电工（技师）培训班第三期",
        trade="电工（高压电气设备安装与维护）", level=None,
        issuer="江苏省徐州市经济技术开发区总工会职工技能实训基地（和润重型起重机械）", awarded_on=date(2023, 3, 1),
        issued_on=date(2026, 3, 1), expires_on=None,
        verify_url="https://skills.example.cn/verify/Zz9-_aaBBccDDeeFFggHH0",
    ),
]


@pytest.fixture()
def welding(welding):
    """The welding course after it took place: attendance, marks and certificates come after the lessons."""
    hold(welding["course"])
    return welding


def pdf_text(path, page=None, raw=False):
    """The text without whitespace; `raw` keeps drawing order (for the rotated stamp)."""
    args = ["-enc", "UTF-8"] + (["-raw"] if raw else []) + (["-f", str(page), "-l", str(page)] if page else [])
    args += [path, "-"]
    return squash(run("pdftotext", *args))


def qr_of(path, tmp_path, page=1):
    prefix = tmp_path / f"qr-{page}"
    run("pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile", path, prefix)
    return decode_qr(f"{prefix}.png")


# ---------------------------------------------------------------- layout (no database)

@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("qualification") / "certificates.pdf"
    path.write_bytes(pdf.qualification_certificates(iter(SAMPLES)))
    return path


def test_a4_portrait_one_page_each_with_metadata(sample_pdf):
    info = run("pdfinfo", sample_pdf)
    assert re.search(r"^Pages:\s+2$", info, re.M)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width, 1), round(height, 1)) == (round(A4_SHORT, 1), round(A4_LONG, 1))
    assert re.search(r"^Title:\s+焊工从业资格证书、", info, re.M)
    assert re.search(r"^Author:\s+徐州焊工实训基地", info, re.M)


def test_every_fact_is_printed(sample_pdf):
    first, second = pdf_text(sample_pdf, 1), pdf_text(sample_pdf, 2)
    for expected in ("焊工从业资格证书", "CERTIFICATEOFQUALIFICATION", "魏小红", "焊工（初级）培训班", "职业（工种）焊工",
                     "技能等级五级/初级工", "发证机构徐州焊工实训基地", "获证日期2026年3月1日", "发证日期2026年3月1日",
                     "有效期至2029年2月28日", "证书编号XZ-2026-HG-000001", "扫码验证"):
        assert expected in first, expected
    for field in ("holder", "title", "course", "trade", "issuer", "number"):
        assert squash(getattr(SAMPLES[1], field)) in second, field
    assert "有效期至长期有效" in second and "获证日期2023年3月1日" in second
    assert "技能等级" not in second  # no level, no level row
    assert "已撤销" not in first + second


def test_chinese_font_is_embedded(sample_pdf):
    listing = run("pdffonts", sample_pdf).splitlines()
    emb = listing[0].index("emb")
    for row in listing[2:]:
        assert "STSong" not in row
        if row.split()[0] != "Helvetica":
            assert row[emb:emb + 11].split() == ["yes", "yes", "yes"], row


def test_layout_stays_inside_the_border_without_overlaps(sample_pdf):
    for words in page_words(sample_pdf):
        for text, x0, y0, x1, y1 in words:
            assert INNER_BORDER < x0 and x1 < A4_SHORT - INNER_BORDER, text
            assert INNER_BORDER < y0 and y1 < A4_LONG - INNER_BORDER, text
        for i, (a, *box_a) in enumerate(words):
            for b, *box_b in words[i + 1:]:
                overlap_x = min(box_a[2], box_b[2]) - max(box_a[0], box_b[0])
                overlap_y = min(box_a[3], box_b[3]) - max(box_a[1], box_b[1])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)
        caption = next((x0, x1) for text, x0, _, x1, _ in words if text == "扫码验证")
        assert (caption[0] + caption[1]) / 2 < A4_SHORT / 2  # under the QR code, bottom left
    title = next((x0, x1) for text, x0, _, x1, _ in page_words(sample_pdf)[0] if text.startswith("焊"))
    assert abs((title[0] + title[1]) / 2 - A4_SHORT / 2) < 3  # centred


def test_qr_codes_decode_to_the_verify_urls(sample_pdf, tmp_path):
    for page, certificate in enumerate(SAMPLES, start=1):
        assert qr_of(sample_pdf, tmp_path, page) == certificate.verify_url


def test_a_void_certificate_is_stamped(tmp_path):
    path = tmp_path / "void.pdf"
    path.write_bytes(pdf.qualification_certificates([pdf.QualificationCertificate(
        **{**SAMPLES[0].__dict__, "void": "已撤销"})]))
    assert "已撤销" in pdf_text(path, raw=True)
    assert qr_of(path, tmp_path) == SAMPLES[0].verify_url  # the stamp leaves the QR readable


def test_empty_batch_is_refused():
    with pytest.raises(ValueError):
        pdf.qualification_certificates([])


# ---------------------------------------------------------------- PDFs and ZIPs from the site

def test_certificate_pdf_carries_the_facts_and_a_qr_to_the_verify_page(client, db, certified, login, tmp_path):
    certificate = certified["certificates"][0]
    login(certified["trainees"][0])
    response = client.get(f"/training/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.data)
    text = pdf_text(path)
    today = date.today()
    chinese_today = f"{today.year}年{today.month}月{today.day}日"
    expires = certificate.expires_on
    for expected in ("焊工从业资格证书", "姓名魏小红", "职业（工种）焊工", "技能等级五级/初级工", "培训课程焊工（初级）培训班",
                     "发证机构徐州焊工实训基地", f"获证日期{chinese_today}", f"发证日期{chinese_today}",
                     f"有效期至{expires.year}年{expires.month}月{expires.day}日", f"证书编号{certificate.number}",
                     "扫码验证"):
        assert expected in text, expected
    assert qr_of(path, tmp_path) == f"http://localhost/verify/{certificate.verify_code}"


def test_staff_get_any_pdf_and_revoked_ones_are_stamped(client, db, certified, login, tmp_path):
    certificate = certified["certificates"][2]
    services.revoke_certificate(certified["staff"], certificate, "冒名顶替")
    db.session.commit()
    login("staff")
    response = client.get(f"/training/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    path = tmp_path / "revoked.pdf"
    path.write_bytes(response.data)
    assert "已撤销" in pdf_text(path, raw=True) and "李娜" in pdf_text(path)


def test_renamed_holder_keeps_the_printed_name(client, db, certified, login, tmp_path):
    certificate = certified["certificates"][0]
    certified["trainees"][0].name = "张三丰"
    db.session.commit()
    login("staff")
    path = tmp_path / "renamed.pdf"
    path.write_bytes(client.get(f"/training/certificates/{certificate.id}.pdf").data)
    assert "魏小红" in pdf_text(path) and "张三丰" not in pdf_text(path)


def test_course_zip_has_one_pdf_per_certificate(client, db, certified, login, tmp_path):
    original = certified["certificates"][0]
    services.renew_certificate(certified["staff"], original, today=date.today() + timedelta(days=1))
    db.session.commit()
    login("staff")
    response = client.get(f"/training/courses/{certified['course'].id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 4 and len(set(names)) == 4 and all(n.endswith(".pdf") for n in names)
    numbers = sorted(c.number for c in certified["certificates"])
    assert sum(1 for n in names if n.startswith(numbers[0])) == 1
    assert any(n.endswith("-魏小红.pdf") for n in names)
    for name in names:
        data = archive.read(name)
        assert data.startswith(b"%PDF-")
        path = tmp_path / "one.pdf"
        path.write_bytes(data)
        assert re.search(r"^Pages:\s+1$", run("pdfinfo", path), re.M)
        number = name.split("-", 4)
        assert "-".join(number[:4]).removesuffix(".pdf") in pdf_text(path)


def test_zip_of_a_course_without_certificates_redirects(client, db, welding, login):
    login("staff")
    response = client.get(f"/training/courses/{welding['course'].id}/certificates.zip")
    assert response.status_code == 303
