// Package diag gives every cookbookc language diagnostic a stable code and
// prints diagnostics as text (file:line:col: error[CODE]: summary, then a
// source snippet with the range underlined) or as JSON.
//
// Diagnostics stay hcl.Diagnostic values from the parser to the CLI; the
// code rides along in Diagnostic.Extra (see New and CodeOf), so callers can
// mix cookbookc diagnostics with those produced by the hcl library itself.
package diag

// Code is a stable diagnostic code such as "E202". Codes never change
// meaning once published; SPEC.md lists them all.
type Code string

// The diagnostic codes. E1xx structure, E2xx values and types, E3xx
// references, E4xx experiments and stages, E5xx manifests and ports, E6xx
// renderers and templates, E7xx files; W1xx are warnings.
const (
	Syntax            Code = "E100" // the file is not valid HCL (native or JSON syntax)
	UnknownBlock      Code = "E101" // a block type that is not allowed here
	UnknownAttribute  Code = "E102" // an attribute that is not allowed here
	MissingAttribute  Code = "E103" // a required attribute is missing
	Duplicate         Code = "E104" // a name or attribute defined twice
	BadLabels         Code = "E105" // wrong number of block labels, or an invalid name
	FileRead          Code = "E106" // a recipe file or directory cannot be read, or a file is too large
	UnsupportedExpr   Code = "E107" // an expression form that is not allowed here
	TypeMismatch      Code = "E200" // a value of the wrong type
	OutOfRange        Code = "E201" // a number outside its allowed range
	NotInEnum         Code = "E202" // a string that is not one of the allowed values
	InvalidValue      Code = "E203" // a value that is malformed for its attribute
	Constraint        Code = "E204" // a relation between several attributes is violated
	EvalError         Code = "E205" // an expression could not be evaluated
	VarValidation     Code = "E206" // a variable's validation condition is false
	BadVarFlag        Code = "E207" // a --var value is malformed or names no variable
	SensitiveLiteral  Code = "E208" // a sensitive field is not set from env()
	UndefinedRef      Code = "E300" // a reference to something that does not exist
	UnknownOutput     Code = "E301" // a stage reference names an output the kind lacks
	Cycle             Code = "E302" // a dependency cycle between stages, locals or manifests
	InvalidRef        Code = "E303" // a reference of the wrong shape or in the wrong place
	NoExperiment      Code = "E400" // the recipe declares no experiment
	ExperimentChoice  Code = "E401" // --experiment names none, or several exist and none was chosen
	UnknownStageKind  Code = "E402" // a stage kind the catalog does not know
	UnknownManifest   Code = "E500" // a manifest that is neither built in nor declared
	UnknownPort       Code = "E501" // a port name that does not exist
	UnknownAdapter    Code = "E502" // no adapter of that name is registered for the port
	AdapterConfig     Code = "E503" // adapter config that does not match the adapter's schema
	UnboundPort       Code = "E504" // a stage needs a port the manifest does not bind
	DatasetSource     Code = "E505" // the bound dataset_store cannot read a dataset's source
	TemplateSyntax    Code = "E600" // a renderer template does not parse
	TemplateVariable  Code = "E601" // a renderer template uses an unknown variable
	TemplateFilter    Code = "E602" // a renderer template uses an unknown filter
	TemplateType      Code = "E603" // a renderer template compares or filters the wrong types
	RendererShape     Code = "E604" // a renderer block is incomplete or inconsistent
	FileOutsideRecipe Code = "E700" // a file function reaches outside the recipe directory
	FileNotFound      Code = "E701" // a file function names a file that does not exist
	DataFile          Code = "E702" // a local dataset file is unusable (or missing, for a run)
	UnusedVariable    Code = "W100" // a variable no expression uses
	RendererDefaulted Code = "W101" // renderer omitted; the model's recommended one is used
	DataFileMissing   Code = "W102" // a local dataset file does not exist (yet)
	HCLNative         Code = "E999" // a diagnostic from the hcl library that carries no code
)

// Descriptions documents every code in one line; SPEC.md mirrors it and a
// test keeps the two in sync.
var Descriptions = map[Code]string{
	Syntax:            "The file is not valid HCL (native or JSON syntax).",
	UnknownBlock:      "A block type that is not allowed in this place.",
	UnknownAttribute:  "An attribute that is not allowed in this block.",
	MissingAttribute:  "A required attribute or block is missing.",
	Duplicate:         "A name, attribute or block defined twice.",
	BadLabels:         "Wrong number of block labels, or a label that is not a valid name.",
	FileRead:          "A recipe file or directory cannot be read, a directory holds no recipe files (or several, where one recipe is needed), or a file is larger than 1 MiB.",
	UnsupportedExpr:   "An expression form that is not allowed here (e.g. a stage reference inside a computed expression).",
	TypeMismatch:      "A value of the wrong type (the detail says expected and got).",
	OutOfRange:        "A number outside its allowed range.",
	NotInEnum:         "A string that is not one of the allowed values.",
	InvalidValue:      "A value that is malformed for its attribute (e.g. a dataset source URI).",
	Constraint:        "A relation between several attributes is violated.",
	EvalError:         "An expression could not be evaluated (bad operands, a failing function call).",
	VarValidation:     "A variable's validation condition is false.",
	BadVarFlag:        "A --var value is malformed or names no declared variable.",
	SensitiveLiteral:  "A sensitive adapter config field is not set from env().",
	UndefinedRef:      "A reference to a variable, local, dataset, renderer or stage that does not exist.",
	UnknownOutput:     "A stage reference names an output its stage kind does not produce.",
	Cycle:             "A dependency cycle between stages, locals or manifests (the whole path is printed).",
	InvalidRef:        "A reference of the wrong shape or used where it is not allowed.",
	NoExperiment:      "The recipe declares no experiment.",
	ExperimentChoice:  "--experiment names no experiment, or several exist and none was chosen.",
	UnknownStageKind:  "A stage kind the catalog does not know.",
	UnknownManifest:   "A manifest that is neither built in nor declared in the recipe.",
	UnknownPort:       "A port name that does not exist.",
	UnknownAdapter:    "No adapter of that name is registered for the port.",
	AdapterConfig:     "Adapter config that does not match the adapter's schema.",
	UnboundPort:       "A stage needs a port that the selected manifest does not bind.",
	DatasetSource:     "The dataset_store the manifest binds cannot read a dataset's source (e.g. hf:// on the local store).",
	TemplateSyntax:    "A renderer template does not parse.",
	TemplateVariable:  "A renderer template uses an unknown variable.",
	TemplateFilter:    "A renderer template uses an unknown filter.",
	TemplateType:      "A renderer template compares or filters values of the wrong type.",
	RendererShape:     "A renderer block is incomplete or inconsistent.",
	FileOutsideRecipe: "A file function or path reaches outside the recipe directory.",
	FileNotFound:      "A file function names a file that does not exist.",
	DataFile:          "A local dataset file is a directory, empty or unreadable, or (for a run) missing.",
	UnusedVariable:    "Warning: a variable that no expression uses.",
	RendererDefaulted: "Warning: a stage omits renderer; the model's recommended renderer is used.",
	DataFileMissing:   "Warning: a local dataset file does not exist (yet); a run refuses to start unless it appears.",
	HCLNative:         "A diagnostic from the hcl library itself, without a cookbookc code.",
}
