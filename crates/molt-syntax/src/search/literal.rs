//! The literal text every match of a regex must contain, for the prefilter
//! that skips files before parsing them.

/// The longest run of literal characters every match of `regex` must
/// contain, if there is a useful one (two bytes or more). Conservative: any
/// alternation or group stops the search.
pub(crate) fn required_literal(regex: &str) -> Option<String> {
    if regex.contains('|') {
        return None;
    }
    let mut best = String::new();
    let mut run = String::new();
    let mut chars = regex.chars().peekable();
    let flush = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = run.clone();
        }
        run.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => run.push(e),
                _ => flush(&mut run, &mut best),
            },
            '*' | '?' | '{' => {
                // The character before is optional.
                run.pop();
                flush(&mut run, &mut best);
                if c == '{' {
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                    }
                }
            }
            '+' => flush(&mut run, &mut best),
            '(' => break,
            '[' => {
                flush(&mut run, &mut best);
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                }
            }
            '.' | '^' | '$' => flush(&mut run, &mut best),
            _ => run.push(c),
        }
    }
    flush(&mut run, &mut best);
    (best.len() >= 2).then_some(best)
}
