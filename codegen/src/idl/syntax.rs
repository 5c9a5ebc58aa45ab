//! The syntax tree of one IDL file, as the parser leaves it: names as written (relative shape ids
//! are resolved later, when every file is known), node values with their unquoted shape ids kept
//! apart, and the position of everything an error may have to point at.

/// A line and column in an IDL file (both from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column (in bytes), from 1.
    pub col: u32,
}

/// A shape id as written: absolute (`ns#Name`), relative (`Name`), either with `$member`.
#[derive(Debug, Clone, PartialEq)]
pub struct RawId {
    /// The text as written.
    pub text: String,
    /// Where it starts.
    pub pos: Pos,
}

/// A node value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written (validated against the JSON number grammar).
    Number(String),
    /// A quoted string or text block, escapes processed.
    Str(String),
    /// An unquoted shape id, resolved to an absolute id when the model is assembled.
    ShapeId(RawId),
    /// `[ ... ]`
    Array(Vec<Node>),
    /// `{ key: value ... }`, keys in order.
    Object(Vec<(String, Node)>),
}

/// One trait application `@id` or `@id(value)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TraitApp {
    /// The trait's shape id as written.
    pub id: RawId,
    /// The value; `None` for an annotation (`@id` or `@id()`).
    pub value: Option<Node>,
}

/// A member of a structure, union, list, map, enum or intEnum.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDef {
    /// The member name.
    pub name: String,
    /// The target; `None` when elided (`$name`) or for enum members.
    pub target: Option<RawId>,
    /// `true` for `$name`.
    pub elided: bool,
    /// Doc comment lines written before the member's traits.
    pub docs: Option<String>,
    /// Traits in the order written.
    pub traits: Vec<TraitApp>,
    /// `= value` (a default for structure members, the enum value for enum members).
    pub value: Option<Node>,
    /// Where the member starts.
    pub pos: Pos,
}

/// An operation's `input` or `output`: a reference or an inline structure.
#[derive(Debug, Clone, PartialEq)]
pub enum IoRef {
    /// `input: SomeShape`
    Ref(RawId),
    /// `input := { ... }`
    Inline(Box<ShapeDef>),
}

/// What follows a shape's name, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Simple shapes.
    None,
    /// Structures, unions, lists, maps, enums, intEnums.
    Members(Vec<MemberDef>),
    /// Services and resources: their properties as a node object.
    Entity(Vec<(String, Node, Pos)>),
    /// Operations.
    Operation {
        /// `input`
        input: Option<IoRef>,
        /// `output`
        output: Option<IoRef>,
        /// `errors`
        errors: Option<Vec<RawId>>,
    },
}

/// One shape statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeDef {
    /// The shape type keyword (`structure`, `string`, ...).
    pub kind: String,
    /// The shape name (relative to the file's namespace).
    pub name: String,
    /// Doc comment lines before the shape's traits.
    pub docs: Option<String>,
    /// Traits in the order written.
    pub traits: Vec<TraitApp>,
    /// `with [...]`
    pub mixins: Vec<RawId>,
    /// `for Resource`
    pub for_resource: Option<RawId>,
    /// Members or properties.
    pub body: Body,
    /// Where the statement starts (its type keyword).
    pub pos: Pos,
}

/// One `apply` statement (single or block).
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyDef {
    /// The shape or member the traits go to.
    pub target: RawId,
    /// The traits.
    pub traits: Vec<TraitApp>,
}

/// A whole IDL file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IdlFile {
    /// The `$version` (`"1.0"` when absent).
    pub version: String,
    /// `$operationInputSuffix` (default `Input`).
    pub input_suffix: String,
    /// `$operationOutputSuffix` (default `Output`).
    pub output_suffix: String,
    /// `metadata key = value` statements in order.
    pub metadata: Vec<(String, Node, Pos)>,
    /// The namespace, when the file has shapes.
    pub namespace: Option<String>,
    /// `use` statements: (absolute id, where).
    pub uses: Vec<(String, Pos)>,
    /// Shape statements in order.
    pub shapes: Vec<ShapeDef>,
    /// Apply statements in order.
    pub applies: Vec<ApplyDef>,
}
