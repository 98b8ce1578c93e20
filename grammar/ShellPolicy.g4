// The shellc policy language. docs/language.md is the spec; this grammar is its syntax.
//
// Design notes:
// - Statements need no terminator: each one starts with a keyword (or an @name), so the
//   parser always knows where the next one begins. That keeps files diff-friendly.
// - Many words that a user may misspell (access rights, limit names, actions, protocols)
//   are IDENTs here and are checked by the front end, which can say "did you mean".
//   Only words that shape the syntax are keywords.
// - Comments live on the HIDDEN channel so that `shellc fmt` can keep them.
grammar ShellPolicy;

policyFile : topItem* EOF ;

topItem
    : policyDecl
    | useDecl
    | paramDecl
    | filesystemBlock
    | processBlock
    | syscallsBlock
    | networkBlock
    | inferenceBlock
    | assertDecl
    | testDecl
    ;

policyDecl : 'policy' dottedName ;
useDecl    : 'use' (dottedName | STRING) ;
paramDecl  : 'param' name=IDENT ':' type=IDENT ('=' value)? ;
dottedName : IDENT ('.' IDENT)* ;

// A rule's stable identity; without it the identity is file:line.
ruleName : '@' IDENT ;

decision : 'allow' | 'deny' ;

// ---------------------------------------------------------------- filesystem
filesystemBlock : 'filesystem' '{' fsStmt* '}' ;

fsStmt
    : 'default' decision                          # fsDefault
    | 'compatibility' IDENT                       # fsCompatibility
    | 'scratch' pathList                          # fsScratch
    | ruleName? decision accessList pathList      # fsRule
    ;

// `connect` is also a keyword (network requests).
accessList : accessWord (',' accessWord)* ;
accessWord : IDENT | 'connect' ;
pathList   : pathExpr (',' pathExpr)* ;
// `workspace / ".git/hooks"`: a start-up root or a path parameter, joined with relative parts.
pathExpr   : (STRING | IDENT) ('/' STRING)* ;

// ---------------------------------------------------------------- process
processBlock : 'process' '{' processStmt* '}' ;

processStmt
    : 'run_as' idValue (':' idValue)?             # runAs
    | 'allow_root'                                # allowRoot
    | 'capabilities' IDENT (',' IDENT)*           # capabilities
    | 'limit' IDENT value                         # limit
    | 'env' 'pass' value (',' value)*             # envPass
    | 'env' 'set' STRING '=' value                # envSet
    ;

idValue : INT | IDENT ;

// ---------------------------------------------------------------- syscalls
syscallsBlock : 'syscalls' '{' syscallStmt* '}' ;

syscallStmt
    : 'default' syscallAction                                         # syscallDefault
    | 'arch' IDENT (',' IDENT)*                                       # syscallArch
    | ruleName? syscallVerb syscallSpec (',' syscallSpec)* ('=>' syscallAction)?   # syscallRule
    ;

syscallVerb   : 'allow' | 'deny' | 'kill' | 'log' ;
syscallAction : ('allow' | 'deny' | 'kill' | 'log' | IDENT) ('(' intExpr ')')? ;
syscallSpec   : syscallName ('(' argCondition (',' argCondition)* ')')? ;

argCondition
    : IDENT ('&' mask=intExpr)? compareOp intExpr                     # argCompare
    | IDENT 'not'? 'in' '[' intExpr (',' intExpr)* ']'                # argIn
    ;

compareOp : '==' | '!=' | '<' | '<=' | '>' | '>=' ;

// `kill` and `connect` are both keywords and system calls.
syscallName : IDENT | 'kill' | 'connect' ;

// `CLONE_NEWUSER | CLONE_NEWNS`, `0x40`, `-100`.
intExpr : intAtom ('|' intAtom)* ;
intAtom : '-'? INT | IDENT ;

// ---------------------------------------------------------------- network
networkBlock : 'network' '{' networkStmt* '}' ;

networkStmt
    : 'default' decision                                              # networkDefault
    | 'enforcement' (IDENT | 'audit')                                 # networkEnforcement
    | ruleName? decision protocol=IDENT? endpoint (',' endpoint)* networkClause*   # networkRule
    ;

endpoint  : hostAtom (':' portSpec)? ;
hostAtom  : STRING | ADDR4 | IDENT ;
portSpec  : portRange | '*' | '[' portRange (',' portRange)* ']' ;
portRange : INT ('-' INT)? | IDENT ;

networkClause
    : 'by' value (',' value)*                     # byBinaries
    | 'methods' IDENT (',' IDENT)*                # methods
    | 'paths' STRING (',' STRING)*                # paths
    | 'audit'                                     # audit
    ;

// ---------------------------------------------------------------- inference
inferenceBlock : 'inference' '{' inferenceStmt* '}' ;

inferenceStmt
    : 'provider' IDENT '{' providerProperty* '}'                      # provider
    | ruleName? 'route' STRING (',' STRING)* '=>' IDENT ('rewrite' STRING)?   # route
    | ruleName? 'deny' STRING (',' STRING)*                           # denyModels
    | budget                                                          # sessionBudget
    ;

// `endpoint "https://…"`, `api openai`, `key env "OPENAI_API_KEY"`, `timeout 60s`, and a
// budget of the provider's own. Each property has a fixed number of values, so no separator
// is needed between them.
// `key env "VAR" optional`: a provider whose key may be missing (its models then get a 503).
providerProperty : (budget | 'key' source=(IDENT | 'env') value keyOptional='optional'? | IDENT value) ','? ;

// `limit tokens 2000000`: what a session may spend; the measure is checked by the front end.
budget : ruleName? 'limit' measure=IDENT value ;

// ---------------------------------------------------------------- assert and test
assertDecl : ruleName? 'assert' quantifier=IDENT request ;

testDecl   : 'test' STRING '{' expectStmt* '}' ;
expectStmt : 'expect' outcome? request ;
outcome    : ('allow' | 'deny' | 'kill' | 'log' | IDENT) ('(' intExpr ')')? ;

request
    : 'syscall' syscallName ('(' syscallArg (',' syscallArg)* ')')?         # syscallRequest
    | 'connect' endpoint networkClause*                               # connectRequest
    | 'connect' pathExpr                                              # socketRequest
    | 'route' STRING ('=>' IDENT)?                                    # routeRequest
    | IDENT pathExpr                                                  # fileRequest
    ;

syscallArg : intExpr | '*' ;

// One request alone, as `shellc explain` is given it on the command line.
requestOnly : request EOF ;

value : STRING | INT | QUANTITY | ADDR4 | IDENT ;

// ---------------------------------------------------------------- lexer
// Keywords come first so that they win over IDENT.
INT      : [0-9]+ | '0x' [0-9a-fA-F]+ | '0o' [0-7]+ | '0b' [01]+ ;
ADDR4    : [0-9]+ '.' [0-9]+ '.' [0-9]+ '.' [0-9]+ ('/' [0-9]+)? ;
QUANTITY : [0-9]+ [a-zA-Z]+ ;          // 8GiB, 60s: the unit is checked by the front end
IDENT    : [a-zA-Z_] [a-zA-Z0-9_]* ;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
// A string whose line ends first: a token of its own so the error can say so precisely.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
COMMENT  : '#' ~[\r\n]* -> channel(HIDDEN) ;
WS       : [ \t\r\n]+ -> skip ;
// Anything else becomes one token that the front end reports; the lexer never fails.
UNEXPECTED_CHAR : . ;
