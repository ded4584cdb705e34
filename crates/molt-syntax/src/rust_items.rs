//! Rust items built with `quote!` and formatted with prettyplease: only the
//! new item is formatted, the rest of the file keeps its bytes.
//!
//! ```
//! use molt_syntax::rust_items;
//! let item = quote::quote! { pub fn add(a: i32, b: i32) -> i32 { a + b } };
//! let edit = rust_items::insert_after("src/lib.rs::main", item).unwrap();
//! assert!(matches!(edit, molt_syntax::Edit::InsertAfter { .. }));
//! ```

use proc_macro2::TokenStream;

use crate::{Edit, Error, Result};

/// Formats the items in `tokens` with prettyplease (no trailing newline).
pub fn format_items(tokens: TokenStream) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Invalid(format!("not Rust items: {e}")))?;
    Ok(prettyplease::unparse(&file).trim_end().to_owned())
}

/// An edit replacing `symbol` with the formatted `tokens`.
pub fn replace_item(symbol: &str, tokens: TokenStream) -> Result<Edit> {
    Ok(Edit::ReplaceItem { symbol: symbol.to_owned(), text: format_items(tokens)?, whole_conditional: false })
}

/// An edit inserting the formatted `tokens` after `symbol`.
pub fn insert_after(symbol: &str, tokens: TokenStream) -> Result<Edit> {
    Ok(Edit::InsertAfter { symbol: symbol.to_owned(), text: format_items(tokens)? })
}

/// An edit inserting the formatted `tokens` before `symbol`.
pub fn insert_before(symbol: &str, tokens: TokenStream) -> Result<Edit> {
    Ok(Edit::InsertBefore { symbol: symbol.to_owned(), text: format_items(tokens)? })
}

/// An edit replacing the body of `symbol` with the formatted block `tokens`
/// (`{ ... }`).
pub fn replace_body(symbol: &str, tokens: TokenStream) -> Result<Edit> {
    let block: syn::Block = syn::parse2(tokens).map_err(|e| Error::Invalid(format!("not a Rust block: {e}")))?;
    // Format the block inside a throwaway function, then take the block back out.
    let func: syn::ItemFn = syn::parse_quote! { fn __molt() #block };
    let file = syn::File { shebang: None, attrs: Vec::new(), items: vec![syn::Item::Fn(func)] };
    let text = prettyplease::unparse(&file);
    let start = text.find('{').unwrap_or(0);
    Ok(Edit::ReplaceBody { symbol: symbol.to_owned(), text: text[start..].trim_end().to_owned() })
}
