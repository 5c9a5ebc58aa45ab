//! Typed mocks (the generated crate's feature `test-util`): per operation, the
//! `awsrt::test_util::MockOperation` impl on its fluent builder (what `mock!(Client::op)` reads
//! the input, output and error types from) and the first statement of its `send`, which lets
//! the configuration's mock rules answer before anything is serialized. Everything else lives
//! in the runtime (`awsrt::test_util::typed`), generic over those types.

use proc_macro2::TokenStream;
use quote::quote;

use super::operation::op_names;
use crate::ir::Operation;

/// `impl MockOperation for <Op>FluentBuilder`, under `#[cfg(feature = "test-util")]`.
pub fn mock_operation_impl(op: &Operation) -> TokenStream {
    let n = op_names(op);
    let (input, output, error, fluent) = (&n.input, &n.output, &n.error, &n.fluent);
    let name = &op.name;
    quote! {
        /// Names this operation in typed mock rules (feature `test-util`):
        /// `mock!(Client::...)` gives a rule for it.
        #[cfg(feature = "test-util")]
        impl ::awsrt::test_util::MockOperation for #fluent {
            const NAME: &'static str = #name;
            type Input = #input;
            type Output = #output;
            type Error = #error;
        }
    }
}

/// The first statement of `send(handle, input)`: the typed mock rules of the configuration, if
/// any, answer the call.
pub fn send_hook(op: &Operation) -> TokenStream {
    let fluent = op_names(op).fluent;
    quote! {
        #[cfg(feature = "test-util")]
        let input = match ::awsrt::test_util::answer_from_mocks::<#fluent>(handle, input) {
            ::std::ops::ControlFlow::Break(answer) => return answer,
            ::std::ops::ControlFlow::Continue(input) => input,
        };
    }
}
