use serde_json::json;

use super::interpret::search;
use super::*;

fn field(s: &str) -> Box<Ast> {
    Box::new(Ast::Field(s.into()))
}

#[test]
fn parses_the_shapes_models_use() {
    assert_eq!(
        parse("Table.TableStatus").unwrap(),
        Ast::Subexpr(field("Table"), field("TableStatus"))
    );
    // `a[].b`: a projection of `b` over the flattened `a`.
    assert_eq!(
        parse("Clusters[].ClusterStatus").unwrap(),
        Ast::Projection(
            Box::new(Ast::Flatten(field("Clusters"))),
            field("ClusterStatus")
        )
    );
    assert_eq!(
        parse("VerificationAttributes.*.VerificationStatus").unwrap(),
        Ast::ValueProjection(field("VerificationAttributes"), field("VerificationStatus"))
    );
    assert_eq!(
        parse("length(DBInstances) == `0`").unwrap(),
        Ast::Compare(
            Cmp::Eq,
            Box::new(Ast::Function(
                "length".into(),
                vec![Ast::Field("DBInstances".into())]
            )),
            Box::new(Ast::Literal(json!(0)))
        )
    );
    assert_eq!(
        parse("status != 'CANCELLING' && status != 'CANCELLED'").unwrap(),
        Ast::And(
            Box::new(Ast::Compare(
                Cmp::Ne,
                field("status"),
                Box::new(Ast::Literal(json!("CANCELLING")))
            )),
            Box::new(Ast::Compare(
                Cmp::Ne,
                field("status"),
                Box::new(Ast::Literal(json!("CANCELLED")))
            ))
        )
    );
    // A flatten after a projection applies to the projection's result.
    let ast = parse("contains(A[].[length(I[?S=='x']) >= M][], `false`)").unwrap();
    let Ast::Function(name, args) = ast else {
        panic!()
    };
    assert_eq!(name, "contains");
    let Ast::Projection(outer, rhs) = &args[0] else {
        panic!("{:?}", args[0])
    };
    assert_eq!(**rhs, Ast::Identity);
    let Ast::Flatten(inner) = &**outer else {
        panic!()
    };
    let Ast::Projection(list, item) = &**inner else {
        panic!()
    };
    assert_eq!(**list, Ast::Flatten(field("A")));
    assert!(matches!(&**item, Ast::MultiSelectList(v) if v.len() == 1));
}

#[test]
fn precedence_and_projection_stops() {
    // `!` binds tighter than `&&`, which binds tighter than `||`.
    assert_eq!(
        parse("!a && b || c").unwrap(),
        Ast::Or(
            Box::new(Ast::And(Box::new(Ast::Not(field("a"))), field("b"))),
            field("c")
        )
    );
    // A comparison ends a projection's right side.
    assert_eq!(
        parse("a[*].b == c").unwrap(),
        Ast::Compare(
            Cmp::Eq,
            Box::new(Ast::Projection(field("a"), field("b"))),
            field("c")
        )
    );
    // A pipe stops a projection: `b` applies to the whole list.
    assert_eq!(
        parse("a[*] | b").unwrap(),
        Ast::Pipe(
            Box::new(Ast::Projection(field("a"), Box::new(Ast::Identity))),
            field("b")
        )
    );
    assert_eq!(
        parse("a[-1]").unwrap(),
        Ast::Subexpr(field("a"), Box::new(Ast::Index(-1)))
    );
    assert_eq!(
        parse("a[1:2]").unwrap(),
        Ast::Projection(
            Box::new(Ast::Subexpr(
                field("a"),
                Box::new(Ast::Slice(Some(1), Some(2), None))
            )),
            Box::new(Ast::Identity)
        )
    );
    assert_eq!(
        parse("\"with space\".x").unwrap(),
        Ast::Subexpr(field("with space"), field("x"))
    );
}

#[test]
fn rejects_malformed_expressions_with_the_place() {
    for (expr, at) in [
        ("a.", 2),
        ("a[", 2),
        ("length(a", 8),
        ("a = b", 2),
        ("'open", 0),
        ("`{bad`", 0),
        ("a b", 2),
        ("[?a", 3),
        ("a[::0]", 6),
    ] {
        let e = parse(expr).expect_err(expr);
        assert_eq!(e.offset, at, "{expr}: {e}");
    }
}

#[test]
fn interprets_like_the_specification() {
    let doc = json!({
        "a": [{"b": 1, "s": "x"}, {"b": null}, {"b": [2, 3]}, {"s": "y"}],
        "m": {"k1": {"v": "p"}, "k2": {"v": "q"}, "k3": {}},
        "n": null,
        "e": [],
    });
    let eval = |e: &str| search(&parse(e).unwrap(), &doc);
    assert_eq!(eval("a[].b").unwrap(), json!([1, [2, 3]]));
    assert_eq!(eval("a[].b[]").unwrap(), json!([1, 2, 3]));
    assert_eq!(eval("a[*].s").unwrap(), json!(["x", "y"]));
    assert_eq!(eval("m.*.v").unwrap(), json!(["p", "q"]));
    assert_eq!(eval("a[?s=='y'] | length(@)").unwrap(), json!(1));
    assert_eq!(eval("length(a[?!b])").unwrap(), json!(2));
    assert_eq!(eval("n[].x").unwrap(), json!(null));
    assert_eq!(eval("!e").unwrap(), json!(true));
    assert_eq!(eval("a[0].b > `0`").unwrap(), json!(true));
    assert_eq!(eval("a[0].s > `0`").unwrap(), json!(null));
    assert_eq!(eval("a[-1].s").unwrap(), json!("y"));
    assert_eq!(eval("a[0].[b, s, z]").unwrap(), json!([1, "x", null]));
    assert_eq!(eval("`1` == `1.0`").unwrap(), json!(true));
    assert!(eval("length(n)").is_err());
    assert!(eval("contains(`5`, 'x')").is_err());
}
