use proc_macro::TokenStream;
/// placeholder
#[proc_macro]
pub fn dataflow(input: TokenStream) -> TokenStream { input }
