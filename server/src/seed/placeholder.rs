//! Product images drawn as SVG at seed time: nothing is downloaded, and each product gets a
//! recognisable picture (its initials on its category's colours).

pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

fn initials(title: &str) -> String {
    title
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphanumeric))
        .take(2)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// `variant` (0, 1, 2…) shifts the composition so a product's gallery images differ.
pub fn product_svg(title: &str, caption: &str, hue: u32, variant: u32) -> String {
    let h1 = (hue + variant * 18) % 360;
    let h2 = (hue + 40 + variant * 25) % 360;
    let (cx, cy, r) = match variant % 3 {
        0 => (420, 180, 190),
        1 => (170, 420, 230),
        _ => (300, 300, 260),
    };
    let angle = (variant * 23 + hue / 7) % 90;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 600" width="600" height="600" role="img" aria-label="{label}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({h1} 45% 62%)"/><stop offset="1" stop-color="hsl({h2} 50% 34%)"/></linearGradient></defs>
<rect width="600" height="600" fill="url(#g)"/>
<circle cx="{cx}" cy="{cy}" r="{r}" fill="hsl({h2} 60% 80%)" opacity="0.28"/>
<rect x="170" y="170" width="260" height="260" rx="36" fill="#fff" opacity="0.16" transform="rotate({angle} 300 300)"/>
<text x="300" y="338" text-anchor="middle" font-family="ui-sans-serif,system-ui,sans-serif" font-size="112" font-weight="700" fill="#fff" opacity="0.94">{initials}</text>
<text x="300" y="540" text-anchor="middle" font-family="ui-sans-serif,system-ui,sans-serif" font-size="26" letter-spacing="3" fill="#fff" opacity="0.8">{caption}</text>
</svg>
"##,
        label = escape_xml(title),
        initials = escape_xml(&initials(title)),
        caption = escape_xml(&caption.to_uppercase()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_uses_initials() {
        let svg = product_svg("Salt & <Pepper> Mill", "Kitchen", 24, 0);
        assert!(svg.contains("Salt &amp; &lt;Pepper&gt; Mill"));
        assert!(svg.contains(">SP<") || svg.contains(">S&amp;<") || svg.contains(">S"));
        assert!(!svg.contains("<Pepper>"));
        assert_eq!(initials("Organic Cotton Crew Neck"), "OC");
        assert_eq!(initials("4-Pack Cable"), "4C");
    }
}
