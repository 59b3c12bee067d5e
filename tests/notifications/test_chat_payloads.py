from __future__ import annotations

from notifications.chat_payloads import (
    ADAPTIVE_CARD_CONTENT_TYPE,
    ADAPTIVE_CARD_SCHEMA,
    ChatContent,
    Link,
    links_from,
    slack_message,
    teams_message,
)

HTML = """
<p>Your session with <strong>Robert</strong> is tomorrow.</p>
<p><a href="https://flipside.example/sessions/12/">Open the session</a>
   <a href="https://flipside.example/sessions/12/ics"> Add to
   calendar </a>
   <a href="mailto:hr@example.com">Write to HR</a>
   <a href="/relative/">Relative</a>
   <a href="https://flipside.example/sessions/12/">Open the session again</a></p>
"""


def test_links_come_from_the_html_anchors_with_their_labels_web_links_only_and_once():
    links = links_from(html=HTML, text="ignored https://elsewhere.example/")
    assert links == (Link("Open the session", "https://flipside.example/sessions/12/"),
                     Link("Add to calendar", "https://flipside.example/sessions/12/ics"))


def test_bare_urls_of_the_text_body_are_used_when_the_html_has_no_link():
    text = "Answer here: https://flipside.example/s/abc. Or later (https://flipside.example/later)."
    links = links_from(html="<p>No links</p>", text=text, fallback_label="Open")
    assert [link.url for link in links] == ["https://flipside.example/s/abc", "https://flipside.example/later"]
    assert {link.label for link in links} == {"Open"}


def test_at_most_five_buttons_are_made():
    html = "".join(f'<a href="https://x.example/{n}">L{n}</a>' for n in range(9))
    assert len(links_from(html=html)) == 5


def content(**overrides) -> ChatContent:
    values = {"title": "Reminder: session tomorrow", "text": "See you at 10:00 <Berlin> & bring notes",
              "links": (Link("Open the session", "https://flipside.example/sessions/12/"),
                        Link("Add to calendar", "https://flipside.example/sessions/12/ics"))}
    return ChatContent(**{**values, **overrides})


def test_the_slack_message_has_a_header_a_text_section_and_one_link_button_per_link():
    body = slack_message(channel="U123", content=content())
    assert body["channel"] == "U123"
    assert body["text"] == "Reminder: session tomorrow"
    header, section, actions = body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Reminder: session tomorrow",
                                                  "emoji": True}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    # &, < and > are Slack control characters and must be escaped in mrkdwn.
    assert section["text"]["text"] == "See you at 10:00 &lt;Berlin&gt; &amp; bring notes"
    assert actions["type"] == "actions"
    assert [(b["type"], b["text"]["text"], b["url"]) for b in actions["elements"]] == [
        ("button", "Open the session", "https://flipside.example/sessions/12/"),
        ("button", "Add to calendar", "https://flipside.example/sessions/12/ics"),
    ]
    assert len({b["action_id"] for b in actions["elements"]}) == 2
    assert actions["elements"][0]["style"] == "primary" and "style" not in actions["elements"][1]


def test_slack_limits_are_kept_by_cutting_long_text():
    body = slack_message(channel="U1", content=content(title="T" * 400, text="x" * 5000, links=()))
    header, section = body["blocks"]
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")
    assert len(section["text"]["text"]) == 3000
    assert all(block["type"] != "actions" for block in body["blocks"])


def test_the_teams_message_is_an_adaptive_card_1_4_with_open_url_buttons_and_a_mention():
    body = teams_message(content=content(), mention_id="robert@example.com",
                         mention_name="Robert <W> Whitfield")
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD_CONTENT_TYPE
    card = attachment["content"]
    assert (card["type"], card["$schema"], card["version"]) == ("AdaptiveCard", ADAPTIVE_CARD_SCHEMA, "1.4")
    title, mention, text = card["body"]
    assert title["text"] == "Reminder: session tomorrow" and title["weight"] == "Bolder"
    assert text["text"] == "See you at 10:00 <Berlin> & bring notes" and text["wrap"] is True
    (entity,) = card["msteams"]["entities"]
    assert entity == {"type": "mention", "text": "<at>Robert W Whitfield</at>",
                      "mentioned": {"id": "robert@example.com", "name": "Robert W Whitfield"}}
    # Teams only notifies when the entity's text appears in the card verbatim.
    assert mention["text"] == entity["text"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the session", "url": "https://flipside.example/sessions/12/"},
        {"type": "Action.OpenUrl", "title": "Add to calendar", "url": "https://flipside.example/sessions/12/ics"},
    ]


def test_a_teams_card_without_links_has_no_actions():
    card = teams_message(content=content(links=()), mention_id="a@example.com", mention_name="A")
    assert "actions" not in card["attachments"][0]["content"]
