"""PDF documents (certificates) through reportlab.

Chinese text uses a TrueType font embedded as a subset, so every reader shows
it and text can be copied or searched; the CID font STSong-Light is never used
because readers without Chinese fonts draw it as empty boxes. The font is
`PDF_CJK_FONT` from the Flask config when set, else the first Debian font found
(`fonts-wqy-zenhei` by default). Latin labels use Helvetica.

A layout is a function drawing one item on one page; `render_pages` streams
the items into a single document, and the border, QR and text-fitting helpers
are shared, so another certificate layout is one more drawing function. Two
layouts exist: competition award certificates (荣誉证书, A4 landscape) and
training qualification certificates (从业资格证书, A4 portrait).
"""
import io
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence
from xml.sax.saxutils import escape

import segno
from flask import current_app, has_app_context
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

FONT_CONFIG_KEY = "PDF_CJK_FONT"
FONT_PACKAGE = "fonts-wqy-zenhei"
# TrueType-outline fonts only: reportlab cannot embed CFF-flavoured OpenType,
# which rules out Noto Sans CJK (fonts-noto-cjk).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/arphic/ukai.ttc",  # fonts-arphic-ukai
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)
LATIN = "Helvetica"
RED = HexColor("#A31F24")
GOLD = HexColor("#C9A227")
INK = HexColor("#222222")
LANDSCAPE_A4 = landscape(A4)

_fonts: dict[str, str] = {}  # font path -> name registered with reportlab
_fonts_lock = threading.Lock()


# ------------------------------------------------------------------ fonts

def cjk_font_path(configured: str | None = None) -> str:
    """The Chinese TrueType font to embed: the given or configured path, else a Debian one."""
    if configured is None and has_app_context():
        configured = current_app.config.get(FONT_CONFIG_KEY) or None
    if configured:
        # A configured font that is missing is a mistake, not a cue to fall back.
        if not Path(configured).is_file():
            raise RuntimeError(
                f"{FONT_CONFIG_KEY} is set to {configured!r}, which is not a file. Point it at a "
                f"Chinese TrueType font, or unset it and `apt-get install -y {FONT_PACKAGE}`."
            )
        return configured
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise RuntimeError(
        f"No Chinese TrueType font for PDFs: set {FONT_CONFIG_KEY} to one, "
        f"or `apt-get install -y {FONT_PACKAGE}` (or fonts-arphic-uming)."
    )


def cjk_font(path: str | None = None) -> str:
    """Register the Chinese font with reportlab once per path; returns its font name."""
    path = cjk_font_path(path)
    with _fonts_lock:
        if path not in _fonts:
            name = f"CJK{len(_fonts)}"
            try:
                # subfontIndex picks the first face of a .ttc collection; TTFont embeds subsets.
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            except TTFError as error:
                raise RuntimeError(
                    f"{path} cannot be embedded ({error}); {FONT_CONFIG_KEY} needs a TrueType-outline "
                    f"Chinese font such as Debian's {FONT_PACKAGE}."
                ) from error
            _fonts[path] = name
        return _fonts[path]


# ------------------------------------------------------------- QR codes

def qr_image(payload: str) -> ImageReader:
    """A QR code (error correction M) as an image reportlab can draw."""
    # ECI tells readers the bytes are UTF-8; without it many guess Latin-1 or Shift JIS.
    qr = segno.make(payload, error="m", micro=False, eci=not payload.isascii())
    buffer = io.BytesIO()
    # Several pixels per module, so the image stays sharp when scaled for print.
    qr.save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return ImageReader(buffer)


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float,
            caption: str, font: str) -> None:
    """The QR code with its lower-left corner at (x, y) and a caption centred below."""
    canvas.drawImage(qr_image(payload), x, y, width=size, height=size)
    canvas.setFont(font, 10)
    canvas.setFillColor(INK)
    canvas.drawCentredString(x + size / 2, y - 10, caption)


# -------------------------------------------------------------- drawing

def draw_border(canvas: Canvas, width: float, height: float) -> None:
    """A double frame (red outside, gold inside) with corner ornaments."""
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(6)
    canvas.rect(18, 18, width - 36, height - 36)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.5)
    canvas.rect(30, 30, width - 60, height - 60)
    canvas.setFillColor(GOLD)
    for cx, cy in ((30, 30), (width - 30, 30), (30, height - 30), (width - 30, height - 30)):
        # A small diamond on each inner corner, with a square inset toward the page.
        path = canvas.beginPath()
        path.moveTo(cx, cy - 9)
        path.lineTo(cx + 9, cy)
        path.lineTo(cx, cy + 9)
        path.lineTo(cx - 9, cy)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
        dx = 14 if cx < width / 2 else -14
        dy = 14 if cy < height / 2 else -14
        canvas.rect(cx + dx - 3, cy + dy - 3, 6, 6, stroke=0, fill=1)
    canvas.restoreState()


def fit_font_size(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    """The largest size (down to `smallest`) at which one line of text fits the width."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def draw_fitted_line(canvas: Canvas, text: str, font: str, x: float, y: float, width: float,
                     largest: float, smallest: float = 7, align: str = "left") -> None:
    """One line shrunk to fit `width`; x is the left edge, centre or right edge per `align`."""
    size = fit_font_size(text, font, width, largest, smallest)
    canvas.setFont(font, size)
    draw = {"left": canvas.drawString, "centre": canvas.drawCentredString,
            "right": canvas.drawRightString}[align]
    draw(x, y, text)


def draw_fitted_paragraphs(canvas: Canvas, texts: Sequence[str], style: ParagraphStyle,
                           x: float, y: float, width: float, height: float,
                           smallest: float = 11, valign: str = "middle") -> None:
    """Paragraphs (reportlab markup) in a box, shrunk until they fit.

    Below `smallest` they are drawn anyway; callers size boxes so that only
    absurd input gets there. `valign` is "middle" or "bottom".
    """
    size = style.fontSize
    while True:
        scale = size / style.fontSize
        current = ParagraphStyle(
            "fitted", parent=style, fontSize=size, leading=style.leading * scale,
            firstLineIndent=style.firstLineIndent * scale, spaceAfter=style.spaceAfter * scale,
        )
        paragraphs = [Paragraph(text, current) for text in texts]
        heights = [p.wrap(width, height)[1] for p in paragraphs]
        total = sum(heights) + current.spaceAfter * (len(paragraphs) - 1)
        if total <= height or size <= smallest:
            break
        size -= 1
    spare = max(0.0, height - total)
    top = y + height - (spare / 2 if valign == "middle" else spare)
    for paragraph, h in zip(paragraphs, heights):
        top -= h
        paragraph.drawOn(canvas, x, top)
        top -= current.spaceAfter


def render_pages(items: Iterable, draw_page: Callable[[Canvas, object, str], dict],
                 pagesize: tuple[float, float]) -> bytes:
    """One page per item drawn by `draw_page(canvas, item, cjk_font_name)`.

    `draw_page` returns the item's metadata (title, author, subject); the document
    gets each field's distinct values joined, so a batch is described truthfully.
    """
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    meta: dict[str, dict[str, None]] = {"title": {}, "author": {}, "subject": {}}
    pages = 0
    for item in items:
        for key, value in draw_page(canvas, item, font).items():
            meta[key].setdefault(value, None)  # dict keeps first-seen order
        canvas.showPage()
        pages += 1
    if not pages:
        raise ValueError("no pages to render")
    canvas.setTitle("、".join(meta["title"]))
    canvas.setAuthor("、".join(meta["author"]))
    canvas.setSubject("、".join(meta["subject"]))
    canvas.setCreator("union-skills")
    canvas.save()
    return buffer.getvalue()


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ------------------------------------------------- award certificates

@dataclass(frozen=True)
class AwardCertificate:
    number: str
    holder: str
    unit: str
    competition: str
    event: str
    award: str
    rank: int | None
    final_score: Decimal | float | str | None
    issued_on: date
    issuer: str
    verify_url: str
    honours: Sequence[str] = ()


def award_certificates(certificates: Iterable[AwardCertificate]) -> bytes:
    """A PDF with one A4 landscape page per award certificate."""
    return render_pages(certificates, _draw_award, LANDSCAPE_A4)


def _draw_award(canvas: Canvas, cert: AwardCertificate, font: str) -> dict:
    width, height = LANDSCAPE_A4
    draw_border(canvas, width, height)

    # Title, spaced out as on printed certificates; the English line is small.
    title, spacing = "荣誉证书", 16
    canvas.saveState()  # character spacing is graphics state: keep it to the title
    canvas.setFillColor(RED)
    text = canvas.beginText()
    text.setFont(font, 46)
    text.setCharSpace(spacing)
    title_width = pdfmetrics.stringWidth(title, font, 46) + spacing * (len(title) - 1)
    text.setTextOrigin((width - title_width) / 2, height - 118)
    text.textOut(title)
    canvas.drawText(text)
    canvas.restoreState()
    canvas.setFont(LATIN, 13)
    canvas.setFillColor(GOLD)
    canvas.drawCentredString(width / 2, height - 142, "CERTIFICATE OF AWARD")
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(width / 2 - 150, height - 154, width / 2 + 150, height - 154)

    # Body: holder, unit and competition may be long, so the block shrinks to fit its box.
    details = []
    if cert.rank is not None:
        details.append(f"第{cert.rank}名")
    if cert.final_score is not None:
        details.append(f"成绩{cert.final_score}分")
    detail = f"（{'，'.join(details)}）" if details else ""
    texts = [
        f"<font size='+4'>{escape(cert.holder)}</font>（{escape(cert.unit)}）"
        f"在{escape(cert.competition)}{escape(cert.event)}中荣获"
        f"<font color='#A31F24'>{escape(cert.award)}</font>{escape(detail)}。"
    ]
    if cert.honours:
        texts.append("所获荣誉：" + escape("；".join(cert.honours)) + "。")
    texts.append("特发此证，以资鼓励。")
    style = ParagraphStyle("award", fontName=font, fontSize=21, leading=38, textColor=INK,
                           alignment=TA_JUSTIFY, firstLineIndent=42, spaceAfter=6, wordWrap="CJK")
    draw_fitted_paragraphs(canvas, texts, style, 100, 170, width - 200, height - 170 - 175)

    # Bottom row: number (left), QR (centre), issuer and date (right).
    canvas.setFillColor(INK)
    draw_fitted_line(canvas, "证书编号", font, 70, 96, 220, 11)
    # Helvetica has no Chinese glyphs: a number with any falls back to the Chinese font.
    number_font = LATIN if cert.number.isascii() else font
    draw_fitted_line(canvas, f"No. {cert.number}", number_font, 70, 78, 220, 12)
    qr_size = 82
    draw_qr(canvas, cert.verify_url, (width - qr_size) / 2, 62, qr_size, "扫码查验", font)
    # Joint issuers can be long: they wrap above the date rather than shrink to dust.
    issuer_style = ParagraphStyle("issuer", fontName=font, fontSize=17, leading=21,
                                  textColor=INK, alignment=TA_CENTER, wordWrap="CJK")
    draw_fitted_paragraphs(canvas, [escape(cert.issuer)], issuer_style, width - 310, 98, 260, 62,
                           smallest=10, valign="bottom")
    draw_fitted_line(canvas, chinese_date(cert.issued_on), font, width - 180, 78, 260, 15,
                     align="centre")

    return {"title": "荣誉证书", "author": cert.issuer, "subject": f"{cert.competition}获奖证书"}


# ------------------------------------------- qualification certificates

PORTRAIT_A4 = A4


@dataclass(frozen=True)
class QualificationCertificate:
    """The facts printed on a training certificate (从业资格证书), all plain strings and dates.

    `level` is the Chinese level label, or None for courses without a level (the
    row is left out). `void` (e.g. 已撤销) is stamped across the page when set.
    """

    number: str
    holder: str
    title: str
    course: str
    trade: str
    level: str | None
    issuer: str
    awarded_on: date
    issued_on: date
    expires_on: date | None
    verify_url: str
    void: str | None = None


def qualification_certificates(certificates: Iterable[QualificationCertificate]) -> bytes:
    """A PDF with one A4 portrait page per qualification certificate."""
    return render_pages(certificates, _draw_qualification, PORTRAIT_A4)


def _draw_spaced_title(canvas: Canvas, title: str, font: str, centre_x: float, baseline: float,
                       width: float, largest: float = 36, smallest: float = 22) -> bool:
    """The title on one line with wide character spacing, if it fits at `smallest` or more."""
    size = largest
    while size >= smallest:
        spacing = size * 0.25
        title_width = pdfmetrics.stringWidth(title, font, size) + spacing * (len(title) - 1)
        if title_width <= width:
            canvas.saveState()  # character spacing is graphics state: keep it to the title
            text = canvas.beginText()
            text.setFont(font, size)
            text.setCharSpace(spacing)
            text.setTextOrigin(centre_x - title_width / 2, baseline)
            text.textOut(title)
            canvas.drawText(text)
            canvas.restoreState()
            return True
        size -= 1
    return False


def _draw_qualification(canvas: Canvas, cert: QualificationCertificate, font: str) -> dict:
    width, height = PORTRAIT_A4
    draw_border(canvas, width, height)
    margin = 70

    # Title: spaced out on one line when it fits, else wrapped and shrunk in its box.
    canvas.setFillColor(RED)
    if not _draw_spaced_title(canvas, cert.title, font, width / 2, height - 122, width - 2 * margin):
        title_style = ParagraphStyle("qualification-title", fontName=font, fontSize=24, leading=30,
                                     textColor=RED, alignment=TA_CENTER, wordWrap="CJK")
        draw_fitted_paragraphs(canvas, [escape(cert.title)], title_style, margin, height - 140,
                               width - 2 * margin, 70, smallest=12)
    canvas.setFont(LATIN, 12)
    canvas.setFillColor(GOLD)
    canvas.drawCentredString(width / 2, height - 160, "CERTIFICATE OF QUALIFICATION")
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(width / 2 - 130, height - 172, width / 2 + 130, height - 172)

    # Statement: the holder, the course and the base, shrunk to fit when long.
    statement = (
        f"兹证明<font size='+4'>{escape(cert.holder)}</font>参加{escape(cert.issuer)}举办的"
        f"“{escape(cert.course)}”，经考核合格，特发此证。"
    )
    style = ParagraphStyle("qualification", fontName=font, fontSize=16, leading=30, textColor=INK,
                           alignment=TA_JUSTIFY, firstLineIndent=32, wordWrap="CJK")
    draw_fitted_paragraphs(canvas, [statement], style, 84, height - 300, width - 168, 112, smallest=10)

    # The facts, one per row: a verifier compares each with the verification page.
    rows = [("姓名", cert.holder), ("职业（工种）", cert.trade)]
    if cert.level:
        rows.append(("技能等级", cert.level))
    rows += [
        ("培训课程", cert.course),
        ("发证机构", cert.issuer),
        ("获证日期", chinese_date(cert.awarded_on)),
        ("发证日期", chinese_date(cert.issued_on)),
        ("有效期至", chinese_date(cert.expires_on) if cert.expires_on else "长期有效"),
        ("证书编号", cert.number),
    ]
    label_x, value_x, right = 96, 212, width - 96
    top, row_height = height - 330, 32
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.5)
    canvas.line(label_x, top, right, top)
    for index, (label, value) in enumerate(rows):
        baseline = top - row_height * index - 21
        canvas.setFillColor(GOLD)
        draw_fitted_line(canvas, label, font, label_x + 4, baseline, value_x - label_x - 12, 13)
        canvas.setFillColor(INK)
        # Helvetica has no Chinese glyphs: values with any use the Chinese font.
        value_font = LATIN if value.isascii() else font
        value_width = right - value_x - 4
        if fit_font_size(value, value_font, value_width, 14, 11) <= 11 and \
                pdfmetrics.stringWidth(value, value_font, 11) > value_width:
            # Too long for one line: two lines in the row, shrunk further only if need be.
            value_style = ParagraphStyle("qualification-value", fontName=value_font, fontSize=11, leading=13,
                                         textColor=INK, wordWrap="CJK")
            draw_fitted_paragraphs(canvas, [escape(value)], value_style, value_x,
                                   top - row_height * (index + 1) + 3, value_width, row_height - 6, smallest=6)
        else:
            draw_fitted_line(canvas, value, value_font, value_x, baseline, value_width, 14)
        canvas.line(label_x, top - row_height * (index + 1), right, top - row_height * (index + 1))

    # Bottom: QR code to the verification page (left), issuer and date (right).
    qr_size = 100
    draw_qr(canvas, cert.verify_url, 78, 74, qr_size, "扫码验证", font)
    canvas.setFillColor(INK)
    issuer_style = ParagraphStyle("qualification-issuer", fontName=font, fontSize=16, leading=20,
                                  textColor=INK, alignment=TA_CENTER, wordWrap="CJK")
    draw_fitted_paragraphs(canvas, [escape(cert.issuer)], issuer_style, width - 300, 112, 230, 60,
                           smallest=9, valign="bottom")
    draw_fitted_line(canvas, chinese_date(cert.issued_on), font, width - 185, 88, 230, 14, align="centre")

    if cert.void:
        # Stamped over everything, translucent, so the facts stay readable.
        canvas.saveState()
        canvas.setFillColor(RED)
        canvas.setFillAlpha(0.28)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        size = fit_font_size(cert.void, font, height * 0.7, 120, 40)
        canvas.setFont(font, size)
        canvas.drawCentredString(0, -size / 3, cert.void)
        canvas.restoreState()

    return {"title": cert.title, "author": cert.issuer, "subject": cert.course}


# ------------------------------------------------- tables (meeting packs, lists for print)

@dataclass
class TableSection:
    """A heading, optional lines of text, and a table (headers and rows of plain values)."""

    heading: str
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[object]] = ()
    lines: Sequence[str] = ()
    widths: Sequence[float] | None = None  # relative column widths


def table_document(title: str, sections: Iterable[TableSection], subtitle: str = "",
                   pagesize: tuple[float, float] = LANDSCAPE_A4) -> bytes:
    """A printable document of titled tables (A4 landscape), page numbers in the footer.

    Header rows repeat on every page a table spans; cells wrap.
    """
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    buffer = io.BytesIO()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER,
                                 spaceAfter=4)
    sub_style = ParagraphStyle("sub", fontName=font, fontSize=10, leading=14, alignment=TA_CENTER, spaceAfter=8)
    heading_style = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    text_style = ParagraphStyle("text", fontName=font, fontSize=9.5, leading=13)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11)
    head_style = ParagraphStyle("head", parent=cell_style, textColor=colors.white)

    def cell(value, style):
        return Paragraph(escape("" if value is None else str(value)), style)

    document = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=14 * mm, title=title, creator="union-skills")
    story = [Paragraph(escape(title), title_style)]
    if subtitle:
        story.append(Paragraph(escape(subtitle), sub_style))
    available = pagesize[0] - 24 * mm
    for section in sections:
        story.append(Paragraph(escape(section.heading), heading_style))
        story.extend(Paragraph(escape(line), text_style) for line in section.lines)
        if section.headers:
            weights = list(section.widths or [1] * len(section.headers))
            widths = [available * w / sum(weights) for w in weights]
            data = [[cell(h, head_style) for h in section.headers]]
            data += [[cell(v, cell_style) for v in row] for row in section.rows]
            table = Table(data, colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), RED),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, HexColor("#F4F4F4")]),
            ]))
            story.append(table)
        story.append(Spacer(1, 4 * mm))

    def footer(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawCentredString(pagesize[0] / 2, 7 * mm, f"{title} · {doc.page}")

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
