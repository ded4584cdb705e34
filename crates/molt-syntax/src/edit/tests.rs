use super::*;

#[test]
fn reindent_is_relative_to_the_first_line() {
    assert_eq!(reindent("def f():\n    return 1\n", "    "), "def f():\n        return 1");
    assert_eq!(reindent("    def f():\n        return 1", "  "), "def f():\n      return 1");
    assert_eq!(reindent("a\n\nb", "\t"), "a\n\n\tb");
}

#[test]
fn whole_lines_takes_one_blank_line_along() {
    let text = "a\n\nb\n\nc\n";
    let b = text.find('b').unwrap();
    assert_eq!(whole_lines(text, b, b + 1), (b, b + 3));
}

#[test]
fn item_text_round_trips() {
    let text = "class A:\n    def f(self):\n        return 1\n";
    let index = crate::index_file("a.py", text.as_bytes()).unwrap();
    let f = &index.items[1];
    assert_eq!(item_text(text, f), "def f(self):\n    return 1");
    assert_eq!(reindent(&item_text(text, f), "    "), &text[f.span.start..f.span.end]);
}
