package tinker

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// DefaultBaseURL is the service's public URL, used when neither the
// base_url config field nor TINKER_BASE_URL is set.
const DefaultBaseURL = "https://tinker.thinkingmachines.dev/services/tinker-prod"

// SDKVersion is the protocol version this adapter speaks, sent as
// sdk_version so the service can warn about outdated clients.
const SDKVersion = "0.25.0"

// Wire formats of forward/backward requests.
const (
	WireAuto  = "auto"  // protobuf when the service's proto_write_fwdbwd flag is set, else JSON
	WireJSON  = "json"  // the legacy JSON form (/forward_backward and /forward)
	WireProto = "proto" // the protobuf form (forward-only via forward_only=true)
)

// Config is the adapter's resolved configuration.
type Config struct {
	// BaseURL is the service root; endpoint paths (/api/v1/...) are
	// appended to its path.
	BaseURL string
	// APIKey is a static credential ("tml-..." key or "eyJ..." JWT).
	// Never logged, written or put in an error.
	APIKey string
	// CredentialCmd is a shell command that prints a credential; used
	// when APIKey is empty.
	CredentialCmd string
	ProjectID     string
	Tags          []string
	WireFormat    string
	// RequestTimeout bounds one submit request (default 60 s).
	RequestTimeout time.Duration
	// PollTimeout bounds one retrieve_future request (default 45 s).
	PollTimeout time.Duration
	// HeartbeatInterval is the session heartbeat period (default 10 s).
	HeartbeatInterval time.Duration
	Retry             RetryPolicy
	// UserAgentSuffix is appended to the User-Agent header.
	UserAgentSuffix string
}

// Schema fields shared by both adapters (training_client and
// sampling_client).
func configFields() []schema.Field {
	return []schema.Field{
		{Name: "base_url", Type: schema.String, Doc: "Service root URL; defaults to TINKER_BASE_URL, else " + DefaultBaseURL + "."},
		{Name: "api_key", Type: schema.String, Sensitive: true, Doc: "API key (tml-...) or JWT; defaults to TINKER_API_KEY. Must come from env()."},
		{Name: "credential_cmd", Type: schema.String, Doc: "Shell command printing a credential when no key is set; defaults to TINKER_CREDENTIAL_CMD."},
		{Name: "project_id", Type: schema.String, Doc: "Project the session is billed to; defaults to TINKER_PROJECT_ID."},
		{Name: "tags", Type: schema.ListOf(schema.String), Doc: "Session tags; defaults to TINKER_TAGS (comma-separated)."},
		{Name: "wire_format", Type: schema.String, Default: WireAuto, Enum: []string{WireAuto, WireJSON, WireProto},
			Doc: "forward_backward encoding: auto follows the service's proto_write_fwdbwd flag."},
		{Name: "request_timeout", Type: schema.Number, Default: 60.0, Min: schema.Above(0), Doc: "Seconds one submit request may take before it is retried."},
		{Name: "retry_budget", Type: schema.Number, Default: 300.0, Min: schema.Above(0), Doc: "Seconds of retrying after which a failing request is given up."},
		{Name: "connect_timeout", Type: schema.Number, Default: 30.0, Min: schema.Above(0),
			Doc: "Seconds a service that has never answered (connection refused, unknown host, no answer) is retried before the run fails."},
	}
}

// parseConfig resolves config fields and environment variables.
func parseConfig(cfg registry.Config, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	pick := func(field, env string) string {
		if v := strings.TrimSpace(cfg.String(field)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv(env))
	}
	c := Config{
		BaseURL:       pick("base_url", "TINKER_BASE_URL"),
		APIKey:        pick("api_key", "TINKER_API_KEY"),
		CredentialCmd: pick("credential_cmd", "TINKER_CREDENTIAL_CMD"),
		ProjectID:     pick("project_id", "TINKER_PROJECT_ID"),
		WireFormat:    cfg.String("wire_format"),
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if tags, ok := cfg["tags"].([]any); ok {
		for _, t := range tags {
			if s, ok := t.(string); ok && s != "" {
				c.Tags = append(c.Tags, s)
			}
		}
	} else if env := getenv("TINKER_TAGS"); env != "" {
		for _, t := range strings.Split(env, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.Tags = append(c.Tags, t)
			}
		}
	}
	if s := cfg.Float("request_timeout"); s > 0 {
		c.RequestTimeout = time.Duration(s * float64(time.Second))
	}
	if s := cfg.Float("retry_budget"); s > 0 {
		c.Retry.Budget = time.Duration(s * float64(time.Second))
	}
	if s := cfg.Float("connect_timeout"); s > 0 {
		c.Retry.ConnectTimeout = time.Duration(s * float64(time.Second))
	}
	return c.withDefaults()
}

func (c Config) withDefaults() (Config, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("base_url %q is not an http(s) URL", c.BaseURL)
	}
	switch c.WireFormat {
	case "":
		c.WireFormat = WireAuto
	case WireAuto, WireJSON, WireProto:
	default:
		return c, fmt.Errorf("wire_format %q: want auto, json or proto", c.WireFormat)
	}
	if c.APIKey == "" && c.CredentialCmd == "" {
		return c, errors.New("no credential: set TINKER_API_KEY (or TINKER_CREDENTIAL_CMD)")
	}
	if c.APIKey != "" {
		if err := checkCredential(c.APIKey); err != nil {
			return c, err
		}
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 60 * time.Second
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 45 * time.Second
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	c.Retry = c.Retry.withDefaults()
	return c, nil
}

// checkCredential rejects credentials the service cannot accept before
// anything is sent. The message never quotes the credential.
func checkCredential(s string) error {
	if strings.HasPrefix(s, "tml-") || strings.HasPrefix(s, "eyJ") {
		return nil
	}
	return errors.New("the credential is neither an API key (tml-...) nor a JWT (eyJ...)")
}
