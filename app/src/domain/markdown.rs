//! Product descriptions: Markdown rendered to HTML that is safe to put in a page. Raw HTML in
//! the text is shown as text (escaped), never passed through; links keep only http, https and
//! mailto addresses (others become plain text); images become their alt text, so a description
//! cannot load anything from elsewhere.
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A scheme is only what comes before the first ':' when no '/', '?' or '#' precedes it.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => matches!(scheme, "http" | "https" | "mailto"),
        // Relative addresses (/products/x, #section) stay on this site.
        _ => true,
    }
}

/// Markdown → safe HTML: paragraphs, emphasis, lists, headings, quotes, code, tables and links.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    // Links whose address is refused are dropped with their closing tag, keeping their text.
    let mut dropped_links: Vec<bool> = Vec::new();
    let mut in_image = 0usize;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            // An autolinked e-mail address (<a@b.test>) becomes mailto: when written out.
            let ok = matches!(link_type, LinkType::Email) || safe_url(&dest_url);
            dropped_links.push(!ok);
            ok.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) => {
            let dropped = dropped_links.pop().unwrap_or(false);
            (!dropped).then_some(Event::End(TagEnd::Link))
        }
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::FootnoteReference(_) | Event::TaskListMarker(_) => None,
        other => Some(other),
    });
    let events: Vec<Event<'_>> = events.collect();
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut out, events.into_iter());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_usual_markdown() {
        let html =
            to_safe_html("A **sturdy** bag, *waxed*.\n\n- one\n- two\n\n[Care guide](https://example.test/care)");
        assert!(html.contains("<strong>sturdy</strong>"), "{html}");
        assert!(html.contains("<em>waxed</em>"));
        assert!(html.contains("<ul>\n<li>one</li>"));
        assert!(html.contains(r#"<a href="https://example.test/care">Care guide</a>"#), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_safe_html(
            "Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">hi</div>\n\n<img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_safe_link_schemes_survive() {
        for bad in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
        ] {
            let html = to_safe_html(bad);
            assert!(!html.to_lowercase().contains("href=\"javascript"), "{bad} → {html}");
            assert!(!html.contains("href=\"data"), "{bad} → {html}");
            assert!(!html.contains("href=\"vbscript"), "{bad} → {html}");
        }
        assert!(to_safe_html("[x](javascript:alert(1))").contains('x'));
        assert!(to_safe_html("[mail](mailto:shop@example.test)").contains(r#"href="mailto:shop@example.test""#));
        assert!(to_safe_html("[p](/products/tote)").contains(r#"href="/products/tote""#));
    }

    #[test]
    fn images_become_their_alt_text_and_attributes_are_escaped() {
        let html = to_safe_html("![a bag](https://tracker.test/p.gif)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("a bag"));
        let html = to_safe_html(r#"[x](https://a.test/"onmouseover="alert(1))"#);
        assert!(!html.contains(r#""onmouseover"#), "{html}");
    }
}
