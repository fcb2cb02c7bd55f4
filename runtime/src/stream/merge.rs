//! `concat` (alias `union`): one stream with the records of several.

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;

use super::Stream;

impl<'scope, T: 'static> Stream<'scope, T> {
    /// The records of this stream and of every stream in `others`, each at its own epoch.
    pub fn concat(
        self,
        name: &str,
        others: impl IntoIterator<Item = Stream<'scope, T>>,
    ) -> Stream<'scope, T> {
        let env = self.env.clone();
        let mut builder = OperatorBuilder::new(name.to_owned(), self.inner.scope());
        let mut inputs: Vec<_> = std::iter::once(self)
            .chain(others)
            .map(|stream| builder.new_input(stream.inner, Pipeline))
            .collect();
        let (output, inner) = builder.new_output::<Vec<T>>();
        let mut output = OutputBuilder::from(output);
        builder.build(move |_| {
            move |_frontiers| {
                let mut output = output.activate();
                for input in inputs.iter_mut() {
                    input.for_each(|time, batch| output.session(&time).give_container(batch));
                }
            }
        });
        Stream { inner, env }
    }
}
