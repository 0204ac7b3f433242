//! The traits a stage implements, and the error a stage stops with.

use crate::report::StageId;

/// A fatal error of one stage: the run stops. Bad input documents are not errors; they become
/// [`crate::Reject`]s and the run goes on.
#[derive(Debug, thiserror::Error)]
#[error("{stage} failed")]
pub struct StageError {
    /// The stage that failed.
    pub stage: StageId,
    /// What went wrong.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl StageError {
    /// Wraps an error of `stage`.
    pub fn new(
        stage: StageId,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StageError {
        StageError {
            stage,
            source: source.into(),
        }
    }
}

/// Produces the input values, in `seq` order, on one thread.
pub trait Source: Send {
    /// The values produced.
    type Item: Send;
    /// Calls `emit` for each value until the input ends or `emit` returns `false` (stop).
    fn run(&mut self, emit: &mut dyn FnMut(Self::Item) -> bool) -> Result<(), StageError>;
}

/// A pure, synchronous step that maps one value to one value: no channels, threads or
/// progress, so it is unit-testable. Stateless transforms run on N workers, one instance each.
pub trait Transform: Send {
    /// The values transformed.
    type Item: Send;
    /// Maps one value. `Err` stops the run; bad input should become a reject value instead.
    fn process(&mut self, item: Self::Item) -> Result<Self::Item, StageError>;
}

/// A stateful step that sees every value in `seq` order, on the sink's thread, before the
/// sink: the place for state that must not depend on scheduling (an index of the documents
/// seen so far). It may hold values back and emit them later, or emit other values instead,
/// so it pushes zero or more outputs per input, and more when the input ends.
pub trait OrderedStep: Send {
    /// The values stepped.
    type Item: Send;
    /// Takes the next value in input order; pushes what the sink should write now.
    fn process(&mut self, item: Self::Item, out: &mut Vec<Self::Item>) -> Result<(), StageError>;
    /// The input has ended: pushes whatever was held back.
    fn finish(&mut self, _out: &mut Vec<Self::Item>) -> Result<(), StageError> {
        Ok(())
    }
}

/// Consumes the values in `seq` order, on one thread.
pub trait Sink: Send {
    /// The values consumed.
    type Item: Send;
    /// Consumes one value.
    fn write(&mut self, item: Self::Item) -> Result<(), StageError>;
    /// Completes the output once the input has ended (flush, rename into place).
    fn finish(&mut self) -> Result<(), StageError>;
}

impl<T: Transform + ?Sized> Transform for Box<T> {
    type Item = T::Item;
    fn process(&mut self, item: Self::Item) -> Result<Self::Item, StageError> {
        (**self).process(item)
    }
}

/// Two transforms applied one after the other.
pub struct Chain<A, B>(pub A, pub B);

impl<A, B> Transform for Chain<A, B>
where
    A: Transform,
    B: Transform<Item = A::Item>,
{
    type Item = A::Item;
    fn process(&mut self, item: Self::Item) -> Result<Self::Item, StageError> {
        let item = self.0.process(item)?;
        self.1.process(item)
    }
}

/// The transform that changes nothing, for runs whose work is all in the source and sink.
pub struct Identity<T>(std::marker::PhantomData<fn() -> T>);

impl<T> Default for Identity<T> {
    fn default() -> Identity<T> {
        Identity(std::marker::PhantomData)
    }
}

/// The sink that drops every value, for runs whose work is all in the transforms.
pub struct Discard<T>(std::marker::PhantomData<fn() -> T>);

impl<T> Default for Discard<T> {
    fn default() -> Discard<T> {
        Discard(std::marker::PhantomData)
    }
}

impl<T: Send> Sink for Discard<T> {
    type Item = T;
    fn write(&mut self, _item: T) -> Result<(), StageError> {
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
}

impl<T: Send> Transform for Identity<T> {
    type Item = T;
    fn process(&mut self, item: T) -> Result<T, StageError> {
        Ok(item)
    }
}

impl<T: Send> OrderedStep for Identity<T> {
    type Item = T;
    fn process(&mut self, item: T, out: &mut Vec<T>) -> Result<(), StageError> {
        out.push(item);
        Ok(())
    }
}

impl<S: OrderedStep + ?Sized> OrderedStep for Box<S> {
    type Item = S::Item;
    fn process(&mut self, item: Self::Item, out: &mut Vec<Self::Item>) -> Result<(), StageError> {
        (**self).process(item, out)
    }
    fn finish(&mut self, out: &mut Vec<Self::Item>) -> Result<(), StageError> {
        (**self).finish(out)
    }
}
