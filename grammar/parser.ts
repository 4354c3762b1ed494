/**
 * The pol grammar as a pure Chevrotain CstParser: no embedded actions. The compiler's
 * `cst-to-ast` visitor gives the tree its meaning. Recovery is on, so one run reports several
 * syntax errors and later stages still get a tree.
 */
import { CstParser, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import * as T from "./tokens.js";
import { SyntaxMessages, type Expectation } from "./syntax-messages.js";

/** Words each syntax error as it is met (see syntax-messages.ts). */
const syntaxMessages = new SyntaxMessages();

class PolParser extends CstParser {
  /**
   * `validate` runs Chevrotain's checks of the grammar itself (ambiguous alternatives, left
   * recursion, …): a third of the set-up every process pays, so only the test of the grammar asks
   * for it (`grammarDefinitionErrors`); the grammar it checks is the one every process uses.
   */
  constructor(validate = false) {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "onlyOffset", errorMessageProvider: syntaxMessages, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  public file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.importDecl));
    this.MANY2(() => this.SUBRULE(this.topItem));
  });

  /** `import "file.pol"`, or `import "file.pol" as nia` to reach its names as `nia.NAME`. */
  private importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Identifier, { LABEL: "alias" });
    });
  });

  private topItem = this.RULE("topItem", () => {
    this.MANY(() => this.SUBRULE(this.reading));
    this.OR([
      { ALT: () => this.SUBRULE(this.policyDecl) },
      { ALT: () => this.SUBRULE(this.overlayDecl) },
      { ALT: () => this.SUBRULE(this.factDecl) },
      { ALT: () => this.SUBRULE(this.groupDecl) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.recordDecl) },
      { ALT: () => this.SUBRULE(this.extendDecl) },
      { ALT: () => this.SUBRULE(this.defineDecl) },
      { ALT: () => this.SUBRULE(this.criterionDecl) },
    ]);
  });

  /**
   * `reading "how the guideline's ambiguous text was read"`: explains the declaration, section or
   * bullet that follows it. A long reading continues in further texts, one per line.
   * `reading of "2-3 months": "…"` reads a part of the item's wording that its rule states
   * differently, on purpose.
   */
  private reading = this.RULE("reading", () => {
    this.CONSUME(T.Reading);
    this.OPTION(() => {
      this.CONSUME(T.Of);
      this.CONSUME(T.StringLiteral, { LABEL: "fragment" });
      this.CONSUME(T.Colon);
    });
    this.AT_LEAST_ONE(() => this.CONSUME2(T.StringLiteral));
  });

  // ── Declarations of facts and their types ────────────────────────────────────────────────

  private factDecl = this.RULE("factDecl", () => {
    this.CONSUME(T.Fact);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    // Only the word `absent` starts it, so that a paragraph pasted after a fact is still one mistake.
    this.OPTION2({ GATE: () => this.LA(1).image === "absent", DEF: () => this.SUBRULE(this.absenceReading) });
  });

  /**
   * `absent unless documented "why"`: a finding charted only when present, read as absent when
   * the chart is silent. `absent` and `documented` are not reserved words.
   */
  private absenceReading = this.RULE("absenceReading", () => {
    this.CONSUME(T.Identifier, { LABEL: "absent" });
    this.CONSUME(T.Unless);
    this.CONSUME2(T.Identifier, { LABEL: "documented" });
    this.OPTION(() => this.CONSUME(T.StringLiteral));
  });

  private typeRef = this.RULE("typeRef", () => {
    this.OPTION(() => {
      this.CONSUME(T.List);
      this.CONSUME(T.Of);
    });
    this.CONSUME(T.Identifier);
    // A type of a file imported under a name: `nia.procedure`.
    this.OPTION3(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier, { LABEL: "member" });
    });
    this.OPTION2(() => {
      this.SUBRULE(this.signedNumber, { LABEL: "min" });
      this.CONSUME(T.To);
      this.SUBRULE2(this.signedNumber, { LABEL: "max" });
    });
  });

  private signedNumber = this.RULE("signedNumber", () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
  });

  private groupDecl = this.RULE("groupDecl", () => {
    this.CONSUME(T.Group);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.groupMember));
    this.CONSUME(T.RCurly);
  });

  private groupMember = this.RULE("groupMember", () => {
    this.MANY(() => this.SUBRULE(this.reading));
    this.OR([{ ALT: () => this.SUBRULE(this.factDecl) }, { ALT: () => this.SUBRULE(this.groupDecl) }]);
  });

  private enumDecl = this.RULE("enumDecl", () => {
    this.CONSUME(T.Enum);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LCurly);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.enumMember) });
    this.CONSUME(T.RCurly);
  });

  private enumMember = this.RULE("enumMember", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
  });

  private recordDecl = this.RULE("recordDecl", () => {
    this.CONSUME(T.Record);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.fieldDecl));
    this.CONSUME(T.RCurly);
  });

  /** `extend record procedure { relief_hours: duration "…" }`: fields this file adds to a record it sees. */
  private extendDecl = this.RULE("extendDecl", () => {
    this.CONSUME(T.Extend);
    this.CONSUME(T.Record);
    this.CONSUME(T.Identifier, { LABEL: "target" });
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier, { LABEL: "member" });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.fieldDecl));
    this.CONSUME(T.RCurly);
  });

  private fieldDecl = this.RULE("fieldDecl", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
  });

  // ── Definitions and criteria ─────────────────────────────────────────────────────────────

  private defineDecl = this.RULE("defineDecl", () => {
    this.CONSUME(T.Define);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.OPTION2(() => this.CONSUME(T.StringLiteral));
    this.OPTION3(() => this.SUBRULE(this.refs));
    this.OPTION4(() => this.SUBRULE(this.approximation));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  /** `approximated "what is approximated, and why"`: the rule only approximates the wording. */
  private approximation = this.RULE("approximation", () => {
    this.CONSUME(T.Approximated);
    this.CONSUME(T.StringLiteral);
  });

  private paramList = this.RULE("paramList", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
  });

  private param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
  });

  private criterionDecl = this.RULE("criterionDecl", () => {
    this.CONSUME(T.Criterion);
    this.SUBRULE(this.requirementHead);
  });

  private pathwayDecl = this.RULE("pathwayDecl", () => {
    this.CONSUME(T.Pathway);
    this.SUBRULE(this.requirementHead);
  });

  /** `NAME "wording" [refs] when CONDITION: body` — shared by criteria and pathways. */
  private requirementHead = this.RULE("requirementHead", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.refs));
    this.OPTION3(() => this.SUBRULE(this.approximation));
    this.OPTION2(() => this.SUBRULE(this.whenClause));
    this.CONSUME(T.Colon);
    this.OR([
      { ALT: () => this.SUBRULE(this.groupBody) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  private whenClause = this.RULE("whenClause", () => {
    this.CONSUME(T.When);
    this.SUBRULE(this.expression);
  });

  private refs = this.RULE("refs", () => {
    this.CONSUME(T.LSquare);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.refRange) });
    this.CONSUME(T.RSquare);
  });

  private refRange = this.RULE("refRange", () => {
    this.CONSUME(T.NumberLiteral, { LABEL: "from" });
    this.OPTION(() => {
      this.CONSUME(T.Minus);
      this.CONSUME2(T.NumberLiteral, { LABEL: "to" });
    });
  });

  /** `all of { … }`, `any of`, `none of`, `at least N of`, `at most N of`. */
  private groupBody = this.RULE("groupBody", () => {
    this.SUBRULE(this.quantifier);
    this.CONSUME(T.Of);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.OPTION2(() => this.SUBRULE(this.refs));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.item));
    this.CONSUME(T.RCurly);
  });

  private quantifier = this.RULE("quantifier", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.All) },
      { ALT: () => this.CONSUME(T.Any) },
      { ALT: () => this.CONSUME(T.None) },
      {
        ALT: () => {
          this.CONSUME(T.At);
          this.OR2([{ ALT: () => this.CONSUME(T.Least) }, { ALT: () => this.CONSUME(T.Most) }]);
          this.CONSUME(T.NumberLiteral);
        },
      },
    ]);
  });

  /** One bullet of a list. */
  private item = this.RULE("item", () => {
    this.MANY(() => this.SUBRULE(this.reading));
    this.OR([
      { ALT: () => this.SUBRULE(this.criterionDecl) },
      { ALT: () => this.SUBRULE(this.pathwayDecl) },
      { ALT: () => this.SUBRULE(this.useItem) },
      { ALT: () => this.SUBRULE(this.noteItem) },
      { ALT: () => this.SUBRULE(this.groupBody) },
    ]);
  });

  private useItem = this.RULE("useItem", () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier, { LABEL: "member" });
    });
  });

  /** A note is text; with a name and a rule after a colon it is also checked. */
  private noteItem = this.RULE("noteItem", () => {
    this.CONSUME(T.Note);
    this.OPTION(() => this.CONSUME(T.Identifier));
    this.CONSUME(T.StringLiteral);
    this.OPTION2(() => this.SUBRULE(this.refs));
    this.OPTION5(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.approximation) },
        {
          ALT: () => {
            this.CONSUME(T.Not);
            this.CONSUME(T.Expressible);
            this.CONSUME2(T.StringLiteral, { LABEL: "why" });
          },
        },
      ]),
    );
    this.OPTION3(() => {
      this.OPTION4(() => this.SUBRULE(this.whenClause));
      this.CONSUME(T.Colon);
      this.SUBRULE(this.expression);
    });
  });

  // ── Policies and overlays ────────────────────────────────────────────────────────────────

  private policyDecl = this.RULE("policyDecl", () => {
    this.CONSUME(T.Policy);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.policyMember));
    this.CONSUME(T.RCurly);
  });

  private overlayDecl = this.RULE("overlayDecl", () => {
    this.CONSUME(T.Overlay);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.refs));
    this.CONSUME(T.For);
    this.CONSUME2(T.Identifier, { LABEL: "target" });
    this.CONSUME(T.In);
    this.CONSUME(T.State);
    this.CONSUME3(T.Identifier, { LABEL: "state" });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.policyMember));
    this.CONSUME(T.RCurly);
  });

  private policyMember = this.RULE("policyMember", () => {
    this.MANY(() => this.SUBRULE(this.reading));
    this.OR([
      { ALT: () => this.SUBRULE(this.property) },
      { ALT: () => this.SUBRULE(this.cptDecl) },
      { ALT: () => this.SUBRULE(this.effectiveDecl) },
      { ALT: () => this.SUBRULE(this.section) },
      { ALT: () => this.SUBRULE(this.appliesDecl) },
      { ALT: () => this.SUBRULE(this.referencesDecl) },
      { ALT: () => this.SUBRULE(this.historyDecl) },
      { ALT: () => this.SUBRULE(this.serviceDecl) },
    ]);
  });

  /**
   * `service NAME "wording" when CONDITION { sections }`: a service line the request may ask for
   * besides the main one. `service` is not reserved (policies name facts `service`): two names in
   * a row start a service line, where a property is a name and a text.
   */
  private serviceDecl = this.RULE("serviceDecl", () => {
    this.CONSUME(T.Identifier, { LABEL: "keyword" });
    this.CONSUME2(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.refs));
    this.OPTION2(() => this.SUBRULE(this.whenClause));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.serviceSection));
    this.CONSUME(T.RCurly);
  });

  private serviceSection = this.RULE("serviceSection", () => {
    this.MANY(() => this.SUBRULE(this.reading));
    this.SUBRULE(this.section);
  });

  private property = this.RULE("property", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLiteral);
  });

  private cptDecl = this.RULE("cptDecl", () => {
    this.CONSUME(T.Cpt);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.cptCode) });
  });

  private cptCode = this.RULE("cptCode", () => {
    this.OPTION(() => this.CONSUME(T.Plus));
    this.OR([{ ALT: () => this.CONSUME(T.NumberLiteral) }, { ALT: () => this.CONSUME(T.CodeLiteral) }]);
  });

  private effectiveDecl = this.RULE("effectiveDecl", () => {
    this.CONSUME(T.Effective);
    this.CONSUME(T.DateLiteral, { LABEL: "from" });
    this.CONSUME(T.To);
    this.CONSUME2(T.DateLiteral, { LABEL: "to" });
  });

  private section = this.RULE("section", () => {
    this.SUBRULE(this.sectionKind);
    this.CONSUME(T.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.refs));
    this.OPTION2(() => this.SUBRULE(this.whenClause));
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.item));
    this.CONSUME(T.RCurly);
  });

  private sectionKind = this.RULE("sectionKind", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Indications) },
      { ALT: () => this.CONSUME(T.Requirements) },
      { ALT: () => this.CONSUME(T.Exclusions) },
      { ALT: () => this.CONSUME(T.Contraindications) },
      { ALT: () => this.CONSUME(T.Notes) },
      { ALT: () => this.CONSUME(T.Advisories) },
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.CONSUME(T.Covered);
        },
      },
    ]);
  });

  /** `applies unless "wording" [refs]: condition` limits an overlay's reach. */
  private appliesDecl = this.RULE("appliesDecl", () => {
    this.CONSUME(T.Applies);
    this.OR([{ ALT: () => this.CONSUME(T.Unless) }, { ALT: () => this.CONSUME(T.When) }]);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.OPTION2(() => this.SUBRULE(this.refs));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  private referencesDecl = this.RULE("referencesDecl", () => {
    this.CONSUME(T.References);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.referenceEntry));
    this.CONSUME(T.RCurly);
  });

  private referenceEntry = this.RULE("referenceEntry", () => {
    this.CONSUME(T.NumberLiteral);
    this.CONSUME(T.StringLiteral);
  });

  private historyDecl = this.RULE("historyDecl", () => {
    this.CONSUME(T.History);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.historyEntry));
    this.CONSUME(T.RCurly);
  });

  private historyEntry = this.RULE("historyEntry", () => {
    this.CONSUME(T.StringLiteral, { LABEL: "date" });
    this.CONSUME2(T.StringLiteral, { LABEL: "summary" });
  });

  // ── Expressions, loosest binding first ───────────────────────────────────────────────────

  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.orExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.Unless);
      this.SUBRULE2(this.orExpr, { LABEL: "operands" });
    });
  });

  private orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpr, { LABEL: "operands" });
    });
  });

  private andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notExpr, { LABEL: "operands" });
    });
  });

  private notExpr = this.RULE("notExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  private comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive, { LABEL: "left" });
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.ComparisonOperator);
            this.SUBRULE2(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.OPTION2(() => this.CONSUME(T.Not, { LABEL: "negated" }));
            this.CONSUME(T.In);
            this.SUBRULE(this.setLiteral);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Within);
            this.CONSUME(T.Last);
            this.SUBRULE3(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Before);
            this.SUBRULE4(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.After);
            this.SUBRULE5(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            this.OPTION3(() => this.CONSUME2(T.Not, { LABEL: "isNot" }));
            this.CONSUME(T.Known);
          },
        },
      ]),
    );
  });

  private setLiteral = this.RULE("setLiteral", () => {
    this.CONSUME(T.LCurly);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
    this.CONSUME(T.RCurly);
  });

  private additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: "operators" }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: "operators" }) }]);
      this.SUBRULE2(this.multiplicative, { LABEL: "operands" });
    });
  });

  private multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.postfix, { LABEL: "operands" });
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star, { LABEL: "operators" }) }, { ALT: () => this.CONSUME(T.Slash, { LABEL: "operators" }) }]);
      this.SUBRULE2(this.postfix, { LABEL: "operands" });
    });
  });

  private postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME(T.Identifier, { LABEL: "fields" });
    });
  });

  private primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.numberLiteral) },
      { ALT: () => this.CONSUME(T.DateLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.reference) },
      { ALT: () => this.SUBRULE(this.queryExpr) },
      { ALT: () => this.SUBRULE(this.timeExpr) },
      { ALT: () => this.SUBRULE(this.referExpr) },
      { ALT: () => this.SUBRULE(this.meetsExpr) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
      { ALT: () => this.SUBRULE(this.caseExpr) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  /** `refer "clause" [refs] when CONDITION`: left to a clinician when the condition holds. */
  private referExpr = this.RULE("referExpr", () => {
    this.CONSUME(T.Refer);
    this.CONSUME(T.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.refs));
    this.OPTION2(() => {
      this.CONSUME(T.When);
      this.SUBRULE(this.expression, { LABEL: "condition" });
    });
  });

  /** `meets NCD_160_7`: whether another policy's determination on the same request is meets. */
  private meetsExpr = this.RULE("meetsExpr", () => {
    this.CONSUME(T.Meets);
    this.CONSUME(T.Identifier, { LABEL: "policy" });
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier, { LABEL: "member" });
    });
  });

  /** `if C then A else B`. */
  private ifExpr = this.RULE("ifExpr", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: "condition" });
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expression, { LABEL: "then" });
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expression, { LABEL: "otherwise" });
  });

  /** `case X { a or b: A, c: B, else: C }`: a value by an enum's value, as a lookup table. */
  private caseExpr = this.RULE("caseExpr", () => {
    this.CONSUME(T.Case);
    this.SUBRULE(this.additive, { LABEL: "subject" });
    this.CONSUME(T.LCurly);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.caseArm) });
    this.CONSUME(T.RCurly);
  });

  private caseArm = this.RULE("caseArm", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Else) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: "values" });
          this.MANY(() => {
            this.CONSUME(T.Or);
            this.CONSUME2(T.Identifier, { LABEL: "values" });
          });
        },
      },
    ]);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  /** `6`, `50%`, `2 weeks`. */
  private numberLiteral = this.RULE("numberLiteral", () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
    this.OPTION2(() =>
      this.OR([{ ALT: () => this.CONSUME(T.Percent) }, { ALT: () => this.CONSUME(T.DurationUnit) }]),
    );
  });

  /** A name, or a call of a definition with parameters: `conservative_therapy(6 weeks)`. */
  private reference = this.RULE("reference", () => {
    this.CONSUME(T.Identifier);
    // A definition of a file imported under a name, called: `nia.episode_of(procedures)`.
    // Without the parenthesis, `nia.name` is read like a field and resolved by name.
    this.OPTION2({
      GATE: () => this.LA(1).tokenType === T.Dot && this.LA(2).tokenType === T.Identifier && this.LA(3).tokenType === T.LParen,
      DEF: () => {
        this.CONSUME(T.Dot);
        this.CONSUME2(T.Identifier, { LABEL: "member" });
      },
    });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: "args" }) });
      this.CONSUME(T.RParen);
    });
  });

  /** Questions over a list: `count(p in injections where p.region = region)`. */
  private queryExpr = this.RULE("queryExpr", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Count, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Exists, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Every, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Select, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Latest, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Earliest, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(T.Union, { LABEL: "op" }) },
    ]);
    this.CONSUME(T.LParen);
    this.CONSUME(T.Identifier, { LABEL: "binder" });
    this.CONSUME(T.In);
    this.SUBRULE(this.additive, { LABEL: "source" });
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression, { LABEL: "filter" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE2(this.expression, { LABEL: "body" });
    });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Counting);
            this.CONSUME2(T.Identifier, { LABEL: "first" });
            this.CONSUME(T.And);
            this.CONSUME3(T.Identifier, { LABEL: "second" });
            this.CONSUME(T.As);
            this.CONSUME(T.One);
            this.CONSUME(T.When);
            this.SUBRULE3(this.expression, { LABEL: "merge" });
          },
        },
        {
          // `one per p.date`: entries with the same key count once.
          ALT: () => {
            this.CONSUME2(T.One);
            this.CONSUME(T.Per);
            this.SUBRULE2(this.additive, { LABEL: "keys" });
            this.MANY2(() => {
              this.CONSUME2(T.And);
              this.SUBRULE3(this.additive, { LABEL: "keys" });
            });
          },
        },
        {
          // `in any 12 months`: the most in any window of that length.
          ALT: () => {
            this.CONSUME2(T.In);
            this.CONSUME(T.Any);
            this.SUBRULE4(this.additive, { LABEL: "window" });
          },
        },
      ]);
    });
    this.CONSUME(T.RParen);
  });

  /** `time since d`, `time between a and b`. */
  private timeExpr = this.RULE("timeExpr", () => {
    this.CONSUME(T.Time);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Since);
          this.SUBRULE(this.postfix, { LABEL: "from" });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Between);
          this.SUBRULE2(this.postfix, { LABEL: "from" });
          this.CONSUME(T.And);
          this.SUBRULE3(this.postfix, { LABEL: "to" });
        },
      },
    ]);
  });
}

/** One parser per process: self-analysis is costly. */
export const polParser = new PolParser();

/** What Chevrotain's validation of the grammar finds wrong with it (nothing, for a grammar that may ship). */
export function grammarDefinitionErrors(): string[] {
  try {
    new PolParser(true);
    return [];
  } catch (e) {
    return [e instanceof Error ? e.message : String(e)];
  }
}

export interface ParseOutput {
  cst: CstNode;
  tokens: IToken[];
  comments: IToken[];
  lexErrors: { offset: number; line: number; column: number; length: number; message: string }[];
  parseErrors: IRecognitionException[];
  /** What the grammar expected at each of `parseErrors`. */
  expectations: ReadonlyMap<IRecognitionException, Expectation>;
}

/**
 * Lexes only: the tokens, for checks that must run before parsing. Each run of characters that
 * start no token (`T.UnexpectedCharacters`) is one lexing error.
 */
export function lexPol(text: string) {
  const lexed = T.polLexer.tokenize(text);
  const runs = lexed.groups.unexpected;
  if (runs && runs.length > 0) {
    for (const run of runs) lexed.errors.push({ offset: run.startOffset, line: run.startLine, column: run.startColumn, length: run.image.length, message: `unexpected characters: ${run.image}` });
    lexed.errors.sort((a, b) => a.offset - b.offset);
  }
  return lexed;
}

export function parsePol(text: string, lexed = lexPol(text)): ParseOutput {
  syntaxMessages.expectations.length = 0;
  polParser.input = lexed.tokens;
  const cst = polParser.file();
  const parseErrors = polParser.errors;
  // The provider wrote one expectation per error, in the order the parser saved them.
  const expectations = new Map<IRecognitionException, Expectation>();
  if (syntaxMessages.expectations.length === parseErrors.length) parseErrors.forEach((e, i) => expectations.set(e, syntaxMessages.expectations[i]));
  return {
    cst,
    tokens: lexed.tokens,
    comments: lexed.groups.comments ?? [],
    lexErrors: lexed.errors.map((e) => ({
      offset: e.offset,
      line: e.line ?? 1,
      column: e.column ?? 1,
      length: e.length,
      message: e.message,
    })),
    parseErrors,
    expectations,
  };
}
