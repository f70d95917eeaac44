package discordtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaKind names a request body schema of Discord's OpenAPI description.
type schemaKind string

const (
	schemaMessageCreate   schemaKind = "MessageCreateRequest"
	schemaMessageEdit     schemaKind = "MessageEditRequestPartial"
	schemaWebhookExecute  schemaKind = "IncomingWebhookRequestPartial"
	schemaWebhookEdit     schemaKind = "IncomingWebhookUpdateRequestPartial"
	schemaCallbackMessage schemaKind = "CreateMessageInteractionCallbackRequest"
	schemaCallbackUpdate  schemaKind = "UpdateMessageInteractionCallbackRequest"
	schemaCallbackChoices schemaKind = "ApplicationCommandAutocompleteCallbackRequest"
	schemaCallbackModal   schemaKind = "ModalInteractionCallbackRequest"
	schemaCommand         schemaKind = "ApplicationCommandUpdateRequest"
)

var allSchemas = []schemaKind{
	schemaMessageCreate, schemaMessageEdit, schemaWebhookExecute, schemaWebhookEdit,
	schemaCallbackMessage, schemaCallbackUpdate, schemaCallbackChoices, schemaCallbackModal,
	schemaCommand,
}

// schemaSet holds compiled schemas. It is immutable once built, which is
// what lets one set be shared by every Server of the process.
type schemaSet struct {
	byKind map[schemaKind]*jsonschema.Schema
}

// schemaCache compiles each spec file once per process: compiling the
// 1 MB description takes long enough to matter across many tests.
var schemaCache struct {
	mu   sync.Mutex
	sets map[string]*schemaSet
}

// loadSchemas finds and compiles the spec. Without the file the fake keeps
// its own limit checks and says so in the test log.
func (s *Server) loadSchemas() *schemaSet {
	path := s.cfg.specPath
	if path == "" {
		var err error
		if path, err = defaultSpecPath(); err != nil {
			s.t.Logf("discordtest: schema checks off: %v", err)
			return nil
		}
	}
	set, err := cachedSchemas(path)
	if errors.Is(err, os.ErrNotExist) {
		s.t.Logf("discordtest: schema checks off: %s is absent", path)
		return nil
	}
	if err != nil {
		s.t.Fatalf("discordtest: %v", err)
	}
	return set
}

func cachedSchemas(path string) (*schemaSet, error) {
	schemaCache.mu.Lock()
	defer schemaCache.mu.Unlock()
	if set, ok := schemaCache.sets[path]; ok {
		return set, nil
	}
	set, err := compileSchemas(path)
	if err != nil {
		return nil, err
	}
	if schemaCache.sets == nil {
		schemaCache.sets = map[string]*schemaSet{}
	}
	schemaCache.sets[path] = set
	return set, nil
}

func compileSchemas(path string) (*schemaSet, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read Discord spec: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse Discord spec %s: %w", path, err)
	}
	// Only the component schemas are used: leaving out the paths makes the
	// resource smaller to load and to check against the metaschema.
	if m, ok := doc.(map[string]any); ok {
		doc = map[string]any{"components": m["components"]}
	}
	const loc = "file:///discord-openapi.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1 schemas are JSON Schema 2020-12
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("load Discord spec %s: %w", path, err)
	}
	set := &schemaSet{byKind: map[schemaKind]*jsonschema.Schema{}}
	for _, k := range allSchemas {
		sch, err := c.Compile(loc + "#/components/schemas/" + string(k))
		if err != nil {
			return nil, fmt.Errorf("compile %s from %s: %w", k, path, err)
		}
		set.byKind[k] = sch
	}
	return set, nil
}

// defaultSpecPath is ../shared/discord/openapi.json beside the repository
// root, the directory holding go.mod above the working directory.
func defaultSpecPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locate Discord spec: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "discord", "openapi.json"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

var englishPrinter = message.NewPrinter(language.English)

// validate checks instance (decoded with jsonschema.UnmarshalJSON) against
// the schema of kind and returns one violation per failed leaf.
func (set *schemaSet) validate(kind schemaKind, instance any) []violation {
	if set == nil {
		return nil
	}
	err := set.byKind[kind].Validate(instance)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []violation
	collectLeaves(ve, func(leaf *jsonschema.ValidationError) {
		out = append(out, violation{
			path: leaf.InstanceLocation,
			rule: fmt.Sprintf("schema %s: %s", kind, leaf.ErrorKind.LocalizedString(englishPrinter)),
		})
	})
	return out
}

func collectLeaves(e *jsonschema.ValidationError, visit func(*jsonschema.ValidationError)) {
	if len(e.Causes) == 0 {
		visit(e)
		return
	}
	for _, c := range e.Causes {
		collectLeaves(c, visit)
	}
}

// violation is one broken rule of a payload.
type violation struct {
	path []string // JSON path of the offending value
	rule string   // the rule broken, for the test log and the error body
}

func (v violation) String() string {
	return "/" + strings.Join(v.path, "/") + ": " + v.rule
}
