//! The hand-written diesel schema (`crates/persistence/src/schema.rs`) against the tables
//! the migrations create, on both databases: same tables, same columns in the same order,
//! same nullability and a compatible SQL type for every column.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};
use lw_tests::{TestDb, both_backends};
use persistence::{Backend, DbConnection};

both_backends!(schema_matches_migrations, schema_mismatches_are_reported);

/// Table name -> columns (name, diesel type such as `Nullable<Text>`) in declaration order.
type Schema = BTreeMap<String, Vec<(String, String)>>;

/// A column of the live database.
#[derive(Debug, Clone)]
struct LiveColumn {
    name: String,
    /// The declared type, lower-cased, parameters such as `(255)` removed.
    sql_type: String,
    nullable: bool,
}

/// Table name -> columns in their order in the table.
type LiveSchema = BTreeMap<String, Vec<LiveColumn>>;

async fn schema_matches_migrations(backend: Backend) {
    let text = std::fs::read_to_string(schema_path()).expect("read crates/persistence/src/schema.rs");
    let schema = parse_schema(&text).unwrap_or_else(|e| panic!("cannot parse schema.rs: {e}"));
    assert!(!schema.is_empty(), "schema.rs declares no tables");
    let db = TestDb::new(backend);
    let live = live_schema(&db);
    let mismatches = compare(backend, &schema, &live);
    assert!(
        mismatches.is_empty(),
        "crates/persistence/src/schema.rs does not match the {backend:?} migrations \
         ({} mismatches):\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
}

/// The comparison can fail: a schema text with known defects yields exactly those reports.
async fn schema_mismatches_are_reported(backend: Backend) {
    const WRONG: &str = r"
        diesel::table! {
            // Column order swapped (name and position).
            districts (code) {
                code -> Text,
                position -> Integer,
                name -> Text,
            }
        }
        diesel::table! {
            organizations (id) {
                id -> Text,
                name -> Text,
                name_normalized -> Text,
                short_name -> Text,              // nullable in the database
                kind -> Nullable<Text>,          // not null in the database
                website -> Nullable<Text>,
                version -> Integer,              // BIGINT in the database
                created_at -> Date,              // TIMESTAMP in the database
                updated_at -> Timestamp,
                actor_type -> Nullable<Text>,
                staffing -> Nullable<Text>,
                visibility -> Text,
            }
        }
        diesel::table! {
            no_such_table (id) {
                id -> Text,
            }
        }
    ";
    let schema = parse_schema(WRONG).expect("the wrong schema parses");
    let db = TestDb::new(backend);
    let live = live_schema(&db);
    let mismatches = compare(backend, &schema, &live);
    let report = mismatches.join("\n");
    for expected in [
        "districts: columns differ: schema.rs [code, position, name], database [code, name, position]",
        "organizations.short_name: schema.rs says Text (not null) but the database column is nullable",
        "organizations.kind: schema.rs says Nullable<Text> but the database column is NOT NULL",
        "organizations.version: schema.rs type Integer but the database declares \"bigint\"",
        "organizations.created_at: schema.rs type Date but the database declares \"timestamp",
        "no_such_table: in schema.rs but not in the database",
        "offices: in the database but not in schema.rs",
    ] {
        assert!(
            mismatches.iter().any(|m| m.starts_with(expected)),
            "expected a report starting with {expected:?}; got:\n{report}"
        );
    }
    // Nothing else is reported for the tables the wrong schema does declare.
    let declared = mismatches
        .iter()
        .filter(|m| m.starts_with("districts") || m.starts_with("organizations"))
        .count();
    assert_eq!(declared, 5, "unexpected reports:\n{report}");
}

#[test]
fn parser_reads_table_macros() {
    let text = r#"
        // A comment with diesel::table! { fake (id) { x -> Text, } }
        diesel::table! {
            /// Doc comment.
            things (a, b) {
                a -> diesel::sql_types::Text,
                #[sql_name = "type"]
                kind -> Nullable<sql_types::BigInt>,
                r#ref -> Bool,
            }
        }
        table! { other { id -> Integer, } }
        diesel::joinable!(things -> other (a));
    "#;
    let schema = parse_schema(text).expect("parses");
    let cols = |t: &str| {
        schema[t]
            .iter()
            .map(|(n, ty)| format!("{n}:{ty}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(schema.len(), 2);
    assert_eq!(cols("things"), ["a:Text", "type:Nullable<BigInt>", "ref:Bool"]);
    assert_eq!(cols("other"), ["id:Integer"]);

    assert!(parse_schema("diesel::table! { t (id) { id -> , } }").is_err());
    assert!(parse_schema("diesel::table! { t (id) { id -> Text, }").is_err());
    assert!(
        parse_schema("diesel::table! { t { id -> Text, } } diesel::table! { t { id -> Text, } }").is_err()
    );
}

fn schema_path() -> std::path::PathBuf {
    lw_tests::repo_root().join("crates/persistence/src/schema.rs")
}

// ---------------------------------------------------------------------------------------
// The live database

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    /// SQLite: position in the primary key (0 = not part of it); PostgreSQL: always 0.
    #[diesel(sql_type = Integer)]
    pk: i32,
}

const SQLITE_COLUMNS: &str = r#"
    SELECT m.name AS table_name, p.name AS column_name, p.type AS sql_type,
           p."notnull" <> 0 AS not_null, p.pk AS pk
    FROM sqlite_master m JOIN pragma_table_info(m.name) p
    WHERE m.type = 'table'
      AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
      AND m.name <> '__diesel_schema_migrations'
    ORDER BY m.name, p.cid
"#;

const POSTGRES_COLUMNS: &str = r"
    SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
           c.data_type::text AS sql_type, c.is_nullable = 'NO' AS not_null, 0 AS pk
    FROM information_schema.columns c
    JOIN information_schema.tables t
      ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public'
      AND t.table_type = 'BASE TABLE'
      AND c.table_name <> '__diesel_schema_migrations'
    ORDER BY c.table_name, c.ordinal_position
";

fn live_schema(db: &TestDb) -> LiveSchema {
    let pool = db.pool();
    let mut conn = pool.get().expect("connection");
    let rows: Vec<ColumnRow> = match &mut *conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQLITE_COLUMNS).load(c),
        DbConnection::Pg(c) => diesel::sql_query(POSTGRES_COLUMNS).load(c),
    }
    .expect("read the database's columns");
    assert!(!rows.is_empty(), "the migrated database has no tables");

    let mut pk_columns: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.pk > 0) {
        *pk_columns.entry(&row.table_name).or_default() += 1;
    }
    let mut live = LiveSchema::new();
    for row in &rows {
        let sql_type = normalize_sql_type(&row.sql_type);
        // SQLite lets NULL into a PRIMARY KEY column not declared NOT NULL (a legacy quirk),
        // so only a sole INTEGER PRIMARY KEY (the rowid alias) is not null without it.
        let rowid_alias = row.pk > 0 && pk_columns[row.table_name.as_str()] == 1 && sql_type == "integer";
        live.entry(row.table_name.clone()).or_default().push(LiveColumn {
            name: row.column_name.clone(),
            sql_type,
            nullable: !row.not_null && !rowid_alias,
        });
    }
    live
}

/// `VARCHAR(255)` -> `varchar`, `timestamp  without time zone` -> `timestamp without time zone`.
fn normalize_sql_type(declared: &str) -> String {
    let base = declared.split('(').next().unwrap_or_default();
    base.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

// ---------------------------------------------------------------------------------------
// The comparison

/// The declared SQL types (normalized) a diesel type may map to on a backend; `None` for a
/// diesel type this check does not know yet (extend the table when schema.rs uses one).
fn accepted_sql_types(backend: Backend, diesel_type: &str) -> Option<&'static [&'static str]> {
    Some(match (backend, diesel_type) {
        (Backend::Sqlite, "Text") => &["text", "varchar"],
        (Backend::Sqlite, "BigInt") => &["bigint", "integer"],
        (Backend::Sqlite, "Integer") => &["integer", "int"],
        (Backend::Sqlite | Backend::Postgres, "Bool") => &["boolean"],
        (Backend::Sqlite, "Timestamp") => &["timestamp", "datetime"],
        (Backend::Sqlite | Backend::Postgres, "Date") => &["date"],
        (Backend::Sqlite, "Double") => &["double precision", "double", "real"],
        (Backend::Postgres, "Double") => &["double precision"],
        (Backend::Postgres, "Text") => &["text", "character varying"],
        (Backend::Postgres, "BigInt") => &["bigint"],
        (Backend::Postgres, "Integer") => &["integer"],
        (Backend::Postgres, "Timestamp") => &["timestamp without time zone"],
        _ => return None,
    })
}

/// Every difference between schema.rs and the live database, one line each.
fn compare(backend: Backend, schema: &Schema, live: &LiveSchema) -> Vec<String> {
    let mut mismatches = Vec::new();
    for table in live.keys().filter(|t| !schema.contains_key(*t)) {
        mismatches.push(format!("{table}: in the database but not in schema.rs"));
    }
    for table in schema.keys().filter(|t| !live.contains_key(*t)) {
        mismatches.push(format!("{table}: in schema.rs but not in the database"));
    }
    for (table, columns) in schema {
        let Some(live_columns) = live.get(table) else {
            continue;
        };
        let declared: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        let actual: Vec<&str> = live_columns.iter().map(|c| c.name.as_str()).collect();
        if declared != actual {
            mismatches.push(format!(
                "{table}: columns differ: schema.rs [{}], database [{}]",
                declared.join(", "),
                actual.join(", ")
            ));
        }
        // Columns present on both sides are checked even when the lists differ.
        for (name, diesel_type) in columns {
            let Some(column) = live_columns.iter().find(|c| &c.name == name) else {
                continue;
            };
            let (nullable, inner) = match diesel_type.strip_prefix("Nullable<") {
                Some(rest) => (true, rest.strip_suffix('>').unwrap_or(rest)),
                None => (false, diesel_type.as_str()),
            };
            if nullable && !column.nullable {
                mismatches.push(format!(
                    "{table}.{name}: schema.rs says {diesel_type} but the database column is NOT NULL"
                ));
            } else if !nullable && column.nullable {
                mismatches.push(format!(
                    "{table}.{name}: schema.rs says {diesel_type} (not null) but the database column \
                     is nullable"
                ));
            }
            match accepted_sql_types(backend, inner) {
                None => mismatches.push(format!(
                    "{table}.{name}: no {backend:?} SQL types known for diesel type {inner} \
                     (extend accepted_sql_types); the database declares {:?}",
                    column.sql_type
                )),
                Some(accepted) if !accepted.contains(&column.sql_type.as_str()) => mismatches.push(format!(
                    "{table}.{name}: schema.rs type {inner} but the database declares {:?} \
                         (accepted on {backend:?}: {})",
                    column.sql_type,
                    accepted.join(", ")
                )),
                Some(_) => {}
            }
        }
    }
    mismatches
}

// ---------------------------------------------------------------------------------------
// Parsing schema.rs: the `table!` macros only, token by token (formatting-independent).

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(&'static str),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    const PUNCTS: [&str; 15] = [
        "->", "::", "!", "{", "}", "(", ")", "[", "]", "<", ">", ",", "#", "=", ".",
    ];
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |i| &rest[i..]);
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").ok_or("unterminated block comment")?;
            rest = &rest[end + 2..];
        } else if c == '"' {
            let end = rest[1..].find('"').ok_or("unterminated string")?;
            tokens.push(Token::Str(rest[1..=end].to_owned()));
            rest = &rest[end + 2..];
        } else if c.is_alphanumeric() || c == '_' {
            let rest_raw = rest.strip_prefix("r#").unwrap_or(rest);
            let len = rest_raw
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest_raw.len());
            tokens.push(Token::Ident(rest_raw[..len].to_owned()));
            rest = &rest_raw[len..];
        } else if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            tokens.push(Token::Punct(p));
            rest = &rest[p.len()..];
        } else {
            // Other macros (joinable!, allow_tables_to_appear_in_same_query!) may hold
            // anything; only table! bodies are parsed, and they fail on this token.
            tokens.push(Token::Punct("?"));
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Result<Token, String> {
        let token = self.peek().cloned().ok_or("unexpected end of file")?;
        self.at += 1;
        Ok(token)
    }

    fn is(&self, punct: &str) -> bool {
        matches!(self.peek(), Some(Token::Punct(p)) if *p == punct)
    }

    fn expect(&mut self, punct: &str) -> Result<(), String> {
        match self.next()? {
            Token::Punct(p) if p == punct => Ok(()),
            other => Err(format!("expected `{punct}`, found {other:?} (token {})", self.at)),
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.next()? {
            Token::Ident(name) => Ok(name),
            other => Err(format!("expected a name, found {other:?} (token {})", self.at)),
        }
    }

    /// `#[...]` attributes; returns the `sql_name` if one is among them.
    fn attributes(&mut self) -> Result<Option<String>, String> {
        let mut sql_name = None;
        while self.is("#") {
            self.expect("#")?;
            self.expect("[")?;
            let key = self.ident()?;
            if key == "sql_name" {
                self.expect("=")?;
                match self.next()? {
                    Token::Str(s) => sql_name = Some(s),
                    other => return Err(format!("expected a string after sql_name, found {other:?}")),
                }
            }
            let mut depth = 1;
            while depth > 0 {
                match self.next()? {
                    Token::Punct("[") => depth += 1,
                    Token::Punct("]") => depth -= 1,
                    _ => {}
                }
            }
        }
        Ok(sql_name)
    }

    /// `Nullable<diesel::sql_types::Text>` -> `Nullable<Text>`: paths reduced to their last
    /// segment, ended by a `,` or `}` outside angle brackets.
    fn diesel_type(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut depth = 0usize;
        loop {
            match self.peek() {
                Some(Token::Punct("," | "}")) if depth == 0 => break,
                Some(Token::Ident(_)) => {
                    let name = self.ident()?;
                    if self.is("::") {
                        self.expect("::")?;
                    } else {
                        out.push_str(&name);
                    }
                }
                Some(Token::Punct("<")) => {
                    self.expect("<")?;
                    depth += 1;
                    out.push('<');
                }
                Some(Token::Punct(">")) if depth > 0 => {
                    self.expect(">")?;
                    depth -= 1;
                    out.push('>');
                }
                Some(Token::Punct(",")) => {
                    self.expect(",")?;
                    out.push_str(", ");
                }
                other => return Err(format!("unexpected {other:?} in a column type")),
            }
        }
        if out.is_empty() || depth != 0 {
            return Err(format!("incomplete column type {out:?}"));
        }
        Ok(out)
    }

    /// The body of one `table! { ... }`, after its opening brace, through its closing one.
    fn table(&mut self) -> Result<(String, Vec<(String, String)>), String> {
        let table_sql_name = self.attributes()?;
        let mut name = self.ident()?;
        if self.is(".") {
            // `schema.table`: the live schema is read from the default schema only.
            self.expect(".")?;
            name = self.ident()?;
        }
        if self.is("(") {
            while !self.is(")") {
                self.next()?;
            }
            self.expect(")")?;
        }
        self.expect("{")?;
        let mut columns = Vec::new();
        while !self.is("}") {
            let sql_name = self.attributes()?;
            let column = self.ident()?;
            self.expect("->")?;
            let diesel_type = self.diesel_type()?;
            columns.push((sql_name.unwrap_or(column), diesel_type));
            if self.is(",") {
                self.expect(",")?;
            }
        }
        self.expect("}")?;
        self.expect("}")?;
        if columns.is_empty() {
            return Err(format!("table {name} has no columns"));
        }
        Ok((table_sql_name.unwrap_or(name), columns))
    }
}

/// Table name -> columns of every `table!` macro in a diesel schema file.
fn parse_schema(text: &str) -> Result<Schema, String> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    let mut schema = Schema::new();
    while let Some(token) = parser.peek().cloned() {
        parser.at += 1;
        let starts_table = token == Token::Ident("table".into())
            && parser.is("!")
            && parser.tokens.get(parser.at + 1) == Some(&Token::Punct("{"));
        if !starts_table {
            continue;
        }
        parser.at += 2;
        let (name, columns) = parser.table()?;
        if schema.insert(name.clone(), columns).is_some() {
            return Err(format!("table {name} is declared twice"));
        }
    }
    Ok(schema)
}
