//! The validated model as Rust data: an expression that builds the
//! [`Definition`] with no parsing and no way to fail, for the generated
//! module to evaluate once instead of loading the JSON text again.
//!
//! The model's types are `Serialize` (asl-spec's `static-model` feature),
//! each named by its path in asl-spec (`model::Task`), and `Tokens` is a
//! serde `Serializer` whose output is that value's constructor: a struct's
//! literal, an enum's variant, `"text".into()` for any string type (and
//! `.into()` around a variant's payload, for the `Box`es), `vec![…]`,
//! `Some(…)`, numbers as unsuffixed literals. Three kinds of value are
//! marked by their `Serialize`: JSON values (`$json`, built as
//! `serde_json::Value`s), JSON numbers (`$number`) and JSONata expressions
//! (`$jsonata`, compiled from their validated source: jlens-core builds an
//! expression only from its text).

use asl_spec::Definition;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde::Serialize;
use serde::ser::{self, Error as _};

/// The expression that builds `def`, with `spec` the path of asl-spec (as
/// the generated code reaches it) and `json` that of serde_json.
///
/// Each state is built by a function of its own (`state_7()`, declared in
/// the expression's block and never inlined): one expression for a machine
/// of a thousand states would be one function too large for the optimizer.
/// Each distinct path is built by one function too (`path_0()`), whatever
/// number of fields hold it.
pub fn expression(def: &Definition, spec: &TokenStream, json: &TokenStream) -> Result<TokenStream, String> {
    let states = std::cell::RefCell::new(Vec::new());
    let paths = std::cell::RefCell::new(std::collections::HashMap::new());
    let tokens = Tokens { spec, json, in_json: false, in_number: false, states: &states, paths: &paths };
    let definition = def.serialize(tokens).map_err(|e| e.0)?;
    let states = states.into_inner();
    Ok(quote! { #(#states)* #definition })
}

/// A failure to write the model (a type the writer does not know).
#[derive(Debug)]
pub struct WriteError(String);

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        WriteError(msg.to_string())
    }
}

/// The serializer: `spec` and `json` are the paths the tokens use.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    spec: &'a TokenStream,
    json: &'a TokenStream,
    /// Inside a `$json` value: maps and sequences are JSON objects and arrays.
    in_json: bool,
    /// Inside a `$number`: a `serde_json::Number`.
    in_number: bool,
    /// The functions that build the states, written so far.
    states: &'a std::cell::RefCell<Vec<TokenStream>>,
    /// The functions that build paths, by their constructor's text: a path
    /// (`$`, `$.order.id`) is written once however many fields use it.
    paths: &'a std::cell::RefCell<std::collections::HashMap<String, Ident>>,
}

/// `model::Task` as a path under asl-spec.
fn type_path(spec: &TokenStream, name: &str) -> Result<TokenStream, WriteError> {
    let segments: Vec<Ident> = name.split("::").map(|s| Ident::new(s, Span::call_site())).collect();
    if segments.len() < 2 {
        return Err(WriteError::custom(format!("`{name}` is not named by its module")));
    }
    Ok(quote! { #spec::#(#segments)::* })
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

impl Tokens<'_> {
    /// An integer: a JSON number in a `$number` or `$json`, else an
    /// unsuffixed literal, which takes the type its place wants.
    fn integer(self, suffixed: Literal, unsuffixed: Literal) -> TokenStream {
        let json = self.json;
        if self.in_number {
            quote! { #json::Number::from(#suffixed) }
        } else if self.in_json {
            quote! { #json::Value::Number(#json::Number::from(#suffixed)) }
        } else {
            unsuffixed.into_token_stream()
        }
    }
}

/// A variant's payload as its field holds it: a value of the model's own
/// types goes through `.into()`, which makes the `Box` some variants keep
/// it in (and is the identity otherwise). Every other value (a string's
/// `.into()`, a number, `Some`, `vec!`) already has the type its place
/// wants.
fn payload(value: TokenStream) -> TokenStream {
    let ours =
        value.clone().into_iter().next().is_some_and(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "spec"));
    if ours {
        quote! { #value.into() }
    } else {
        value
    }
}

/// A sequence being written.
struct Seq<'a> {
    at: Tokens<'a>,
    items: Vec<TokenStream>,
}

/// A map being written.
struct MapOf<'a> {
    at: Tokens<'a>,
    entries: Vec<(TokenStream, TokenStream)>,
    key: Option<TokenStream>,
}

/// A struct (or struct variant) being written.
struct Fields<'a> {
    at: Tokens<'a>,
    /// The type's name (`model::State`).
    name: &'static str,
    path: TokenStream,
    fields: Vec<(Ident, TokenStream)>,
}

/// A tuple variant being written.
struct TupleVariant<'a> {
    at: Tokens<'a>,
    path: TokenStream,
    items: Vec<TokenStream>,
}

impl<'a> ser::Serializer for Tokens<'a> {
    type Ok = TokenStream;
    type Error = WriteError;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = TupleVariant<'a>;
    type SerializeTupleVariant = TupleVariant<'a>;
    type SerializeMap = MapOf<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Fields<'a>;

    fn serialize_bool(self, v: bool) -> Result<TokenStream, WriteError> {
        let json = self.json;
        Ok(if self.in_json {
            quote! { #json::Value::Bool(#v) }
        } else {
            quote! { #v }
        })
    }
    fn serialize_i8(self, v: i8) -> Result<TokenStream, WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<TokenStream, WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<TokenStream, WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<TokenStream, WriteError> {
        Ok(self.integer(Literal::i64_suffixed(v), Literal::i64_unsuffixed(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<TokenStream, WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<TokenStream, WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<TokenStream, WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<TokenStream, WriteError> {
        Ok(self.integer(Literal::u64_suffixed(v), Literal::u64_unsuffixed(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<TokenStream, WriteError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<TokenStream, WriteError> {
        if !v.is_finite() {
            return Err(WriteError::custom("a number that is not finite"));
        }
        let json = self.json;
        if self.in_number {
            let lit = Literal::f64_suffixed(v);
            // Finite, so `from_f64` has a value; `0` only to name no panic.
            return Ok(quote! { #json::Number::from_f64(#lit).unwrap_or_else(|| #json::Number::from(0u8)) });
        }
        Ok(if self.in_json {
            let lit = Literal::f64_suffixed(v);
            // Finite, so `from_f64` has a value; `Null` only to name no panic.
            quote! { #json::Number::from_f64(#lit).map_or(#json::Value::Null, #json::Value::Number) }
        } else {
            Literal::f64_unsuffixed(v).into_token_stream()
        })
    }
    fn serialize_char(self, v: char) -> Result<TokenStream, WriteError> {
        Ok(Literal::character(v).into_token_stream())
    }
    fn serialize_str(self, v: &str) -> Result<TokenStream, WriteError> {
        let lit = Literal::string(v);
        let json = self.json;
        Ok(if self.in_json {
            quote! { #json::Value::String(#lit.into()) }
        } else {
            quote! { #lit.into() }
        })
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<TokenStream, WriteError> {
        Err(WriteError::custom("bytes"))
    }
    fn serialize_none(self) -> Result<TokenStream, WriteError> {
        let json = self.json;
        Ok(if self.in_json {
            quote! { #json::Value::Null }
        } else {
            quote! { ::core::option::Option::None }
        })
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<TokenStream, WriteError> {
        let inner = value.serialize(self)?;
        Ok(if self.in_json {
            inner
        } else {
            quote! { ::core::option::Option::Some(#inner) }
        })
    }
    fn serialize_unit(self) -> Result<TokenStream, WriteError> {
        let json = self.json;
        Ok(if self.in_json {
            quote! { #json::Value::Null }
        } else {
            quote! { () }
        })
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<TokenStream, WriteError> {
        type_path(self.spec, name)
    }
    fn serialize_unit_variant(
        self, name: &'static str, _: u32, variant: &'static str,
    ) -> Result<TokenStream, WriteError> {
        let path = type_path(self.spec, name)?;
        let variant = ident(variant);
        Ok(quote! { #path::#variant })
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self, name: &'static str, value: &T,
    ) -> Result<TokenStream, WriteError> {
        match name {
            // A JSON value: built as one.
            "$json" => value.serialize(Tokens { in_json: true, ..self }),
            // A JSON number (an intrinsic's argument).
            "$number" => value.serialize(Tokens { in_number: true, ..self }),
            // A JSONata expression, by its source.
            "$jsonata" => {
                let source = value.serialize(self)?;
                let spec = self.spec;
                Ok(quote! { #spec::jsonata::Expr::from_validated(#source) })
            }
            _ => {
                let path = type_path(self.spec, name)?;
                let inner = payload(value.serialize(self)?);
                Ok(quote! { #path(#inner) })
            }
        }
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self, name: &'static str, _: u32, variant: &'static str, value: &T,
    ) -> Result<TokenStream, WriteError> {
        let path = type_path(self.spec, name)?;
        let variant = ident(variant);
        let inner = payload(value.serialize(self)?);
        Ok(quote! { #path::#variant(#inner) })
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a>, WriteError> {
        Ok(Seq { at: self, items: Vec::with_capacity(len.unwrap_or(0)) })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, WriteError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<TupleVariant<'a>, WriteError> {
        Ok(TupleVariant { at: self, path: type_path(self.spec, name)?, items: Vec::new() })
    }
    fn serialize_tuple_variant(
        self, name: &'static str, _: u32, variant: &'static str, _: usize,
    ) -> Result<TupleVariant<'a>, WriteError> {
        let path = type_path(self.spec, name)?;
        let variant = ident(variant);
        Ok(TupleVariant { at: self, path: quote! { #path::#variant }, items: Vec::new() })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapOf<'a>, WriteError> {
        Ok(MapOf { at: self, entries: Vec::new(), key: None })
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields<'a>, WriteError> {
        Ok(Fields { at: self, name, path: type_path(self.spec, name)?, fields: Vec::new() })
    }
    fn serialize_struct_variant(
        self, name: &'static str, _: u32, variant: &'static str, _: usize,
    ) -> Result<Fields<'a>, WriteError> {
        let path = type_path(self.spec, name)?;
        let variant = ident(variant);
        Ok(Fields { at: self, name, path: quote! { #path::#variant }, fields: Vec::new() })
    }
}

use quote::ToTokens as _;

impl ser::SerializeSeq for Seq<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        let item = value.serialize(self.at)?;
        self.items.push(item);
        Ok(())
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        let items = self.items;
        let json = self.at.json;
        Ok(if self.at.in_json {
            quote! { #json::Value::Array(::std::vec![#(#items),*]) }
        } else {
            quote! { ::std::vec![#(#items),*] }
        })
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        self.items.push(value.serialize(self.at)?);
        Ok(())
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        let items = self.items;
        Ok(quote! { (#(#items,)*) })
    }
}

impl ser::SerializeTupleStruct for TupleVariant<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        self.items.push(payload(value.serialize(self.at)?));
        Ok(())
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        let (path, items) = (self.path, self.items);
        Ok(quote! { #path(#(#items),*) })
    }
}

impl ser::SerializeTupleVariant for TupleVariant<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        ser::SerializeTupleStruct::serialize_field(self, value)
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        ser::SerializeTupleStruct::end(self)
    }
}

impl ser::SerializeMap for MapOf<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), WriteError> {
        // Keys are strings, not JSON values, even in a JSON object.
        self.key = Some(key.serialize(Tokens { in_json: false, ..self.at })?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), WriteError> {
        let key = self.key.take().ok_or_else(|| WriteError::custom("a map value without its key"))?;
        let value = value.serialize(self.at)?;
        self.entries.push((key, value));
        Ok(())
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        let (keys, values): (Vec<_>, Vec<_>) = self.entries.into_iter().unzip();
        let json = self.at.json;
        Ok(if self.at.in_json {
            quote! { #json::Value::Object([#((#keys, #values)),*].into_iter().collect()) }
        } else {
            quote! { [#((#keys, #values)),*].into_iter().collect() }
        })
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
        let value = value.serialize(self.at)?;
        self.fields.push((ident(key), value));
        Ok(())
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        let (path, at, name) = (self.path, self.at, self.name);
        let id = self.fields.iter().find(|(field, _)| field == "id").map(|(_, value)| value.to_string());
        let (names, values): (Vec<_>, Vec<_>) = self.fields.into_iter().unzip();
        let value = quote! { #path { #(#names: #values),* } };
        match (name, id) {
            ("model::State", Some(id)) => {
                let function = ident(&format!("state_{id}"));
                at.states.borrow_mut().push(quote! {
                    #[inline(never)]
                    fn #function() -> #path { #value }
                });
                Ok(quote! { #function() })
            }
            ("path::Path", _) => {
                let mut paths = at.paths.borrow_mut();
                let next = paths.len();
                let function = paths
                    .entry(value.to_string())
                    .or_insert_with(|| {
                        let function = ident(&format!("path_{next}"));
                        at.states.borrow_mut().push(quote! {
                            fn #function() -> #path { #value }
                        });
                        function
                    })
                    .clone();
                Ok(quote! { #function() })
            }
            _ => Ok(value),
        }
    }
}

impl ser::SerializeStructVariant for Fields<'_> {
    type Ok = TokenStream;
    type Error = WriteError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<TokenStream, WriteError> {
        ser::SerializeStruct::end(self)
    }
}
