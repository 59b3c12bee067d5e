"""What a chat message looks like: Slack Block Kit and a Microsoft Teams Adaptive Card.

Pure functions (no Django, no network) so the shapes can be tested on their own. A chat message
carries the same words and the same links as the e-mail it stands for: the subject becomes the
title, the plain-text body the text, and every link of the HTML body becomes a button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Limits of the platforms (Block Kit: header 150, section text 3,000, button text 75, url 3,000;
# Teams shows a handful of actions and refuses cards over ~28 KB). Longer text is cut with "…"
# rather than refused: the e-mail fallback carries the full text if a person needs it.
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_BUTTON_MAX = 75
URL_MAX = 3000
TEAMS_TEXT_MAX = 8000
MAX_BUTTONS = 5

ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class ChatContent:
    """The parts of one message a chat platform shows."""

    title: str
    text: str
    links: tuple[Link, ...] = ()
    # The outbox key, sent as Slack message metadata: a duplicate can be recognised at the other end.
    reference: str = ""


class _LinkCollector(HTMLParser):
    """Collect (text, href) of every <a> in an HTML body, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")


def _web_url(url: str) -> bool:
    # Buttons open web pages only: no mailto:, javascript: or relative links.
    return url.startswith(("https://", "http://")) and len(url) <= URL_MAX


def links_from(*, html: str = "", text: str = "", fallback_label: str = "Open") -> tuple[Link, ...]:
    """The web links of a message, labelled by their HTML anchor text, without duplicates.

    The HTML body names its links ("Answer the survey"); when there is none, bare URLs of the text
    body are used with ``fallback_label``.
    """
    found: list[Link] = []
    seen: set[str] = set()
    if html:
        parser = _LinkCollector()
        parser.feed(html)
        parser.close()
        for label, url in parser.links:
            url = url.strip()
            if _web_url(url) and url not in seen:
                seen.add(url)
                found.append(Link(label=label or fallback_label, url=url))
    if not found and text:
        for match in _URL_IN_TEXT.finditer(text):
            url = match.group(0).rstrip(".,;:!?")
            if _web_url(url) and url not in seen:
                seen.add(url)
                found.append(Link(label=fallback_label, url=url))
    return tuple(found[:MAX_BUTTONS])


def _cut(value: str, limit: int) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def slack_escape(value: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters (<url|label>, <@U123>)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(*, channel: str, content: ChatContent) -> dict:
    """A chat.postMessage body: header, section with the text, one button per link.

    ``text`` stays as the notification and screen-reader fallback Slack asks for beside blocks.
    """
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(content.title, SLACK_HEADER_MAX),
                                    "emoji": True}},
    ]
    if content.text.strip():
        text = _cut(slack_escape(content.text), SLACK_SECTION_MAX)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if content.links:
        blocks.append({
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": f"link-{number}", "url": link.url,
                 "text": {"type": "plain_text", "text": _cut(link.label, SLACK_BUTTON_MAX), "emoji": True},
                 **({"style": "primary"} if number == 0 else {})}
                for number, link in enumerate(content.links)
            ],
        })
    body = {"channel": channel, "text": _cut(content.title, SLACK_SECTION_MAX), "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}
    if content.reference:
        body["metadata"] = {"event_type": "flipside_message", "event_payload": {"key": content.reference}}
    return body


def _mention_label(name: str) -> str:
    # The text between <at>…</at> must match the entity exactly; angle brackets would break it.
    return " ".join(name.replace("<", "").replace(">", "").split()) or "you"


def teams_message(*, content: ChatContent, mention_id: str, mention_name: str) -> dict:
    """An incoming-webhook body: one Adaptive Card 1.4 in a ``message`` attachment.

    The card mentions the person by e-mail address / UPN (``msteams.entities``), so a post to a
    channel or a Workflows chat notifies exactly them; links become ``Action.OpenUrl`` buttons.
    """
    label = _mention_label(mention_name)
    mention_text = f"<at>{label}</at>"
    body: list[dict] = [
        {"type": "TextBlock", "text": _cut(content.title, 300), "size": "Large", "weight": "Bolder",
         "wrap": True},
        {"type": "TextBlock", "text": mention_text, "wrap": True},
    ]
    if content.text.strip():
        body.append({"type": "TextBlock", "text": _cut(content.text, TEAMS_TEXT_MAX), "wrap": True})
    card: dict = {
        "type": "AdaptiveCard",
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
        "msteams": {
            "width": "Full",
            "entities": [{"type": "mention", "text": mention_text,
                          "mentioned": {"id": mention_id, "name": label}}],
        },
    }
    if content.links:
        card["actions"] = [{"type": "Action.OpenUrl", "title": link.label, "url": link.url}
                           for link in content.links]
    return {"type": "message",
            "attachments": [{"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "contentUrl": None, "content": card}]}
