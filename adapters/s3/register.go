package s3

import (
	"context"
	"log/slog"
	"os"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func init() {
	registry.Register(registry.Adapter{Schema: Schema(), New: newFromConfig})
}

// Schema returns the adapter's config schema.
func Schema() schema.AdapterSchema {
	return schema.AdapterSchema{
		Port:    schema.PortBlobStore,
		Name:    AdapterName,
		Summary: "Blobs in an Amazon S3 bucket or an S3-compatible store (MinIO, Cloudflare R2), signed with AWS Signature V4.",
		Config: []schema.Field{
			{Name: "bucket", Type: schema.String, Required: true,
				Doc: "Bucket that holds the blobs."},
			{Name: "prefix", Type: schema.String, Default: "",
				Doc: "Key prefix prepended to every blob key, e.g. \"cookbookc/\"; lets several projects share a bucket."},
			{Name: "region", Type: schema.String,
				Doc: "Region requests are signed for (\"auto\" for R2); defaults to AWS_REGION, AWS_DEFAULT_REGION, then us-east-1."},
			{Name: "endpoint", Type: schema.String,
				Doc: "Service URL such as http://localhost:9000 for MinIO; defaults to AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, then Amazon S3."},
			{Name: "path_style", Type: schema.Bool, Default: false,
				Doc: "Force path-style URLs (endpoint/bucket/key) instead of letting the client choose (virtual-hosted on AWS, path-style elsewhere)."},
			{Name: "access_key_id", Type: schema.String, Sensitive: true,
				Doc: "Access key id; defaults to AWS_ACCESS_KEY_ID."},
			{Name: "secret_access_key", Type: schema.String, Sensitive: true,
				Doc: "Secret access key; defaults to AWS_SECRET_ACCESS_KEY."},
			{Name: "session_token", Type: schema.String, Sensitive: true,
				Doc: "Session token of temporary credentials; defaults to AWS_SESSION_TOKEN."},
			{Name: "anonymous", Type: schema.Bool, Default: false,
				Doc: "Send unsigned requests to a public bucket and ignore all credentials."},
			{Name: "part_size_mb", Type: schema.Int, Default: int64(DefaultPartSize >> 20),
				Min: schema.AtLeast(5), Max: schema.AtMost(5120),
				Doc: "Multipart part size in MiB; blobs up to this size go up in a single PUT, and one part is buffered in memory."},
			{Name: "max_attempts", Type: schema.Int, Default: int64(5),
				Min: schema.AtLeast(1), Max: schema.AtMost(20),
				Doc: "Attempts per request, retries on throttling and server errors included."},
		},
	}
}

// newFromConfig is the registry factory. Credentials set in the config
// (from env()) win over the AWS_* environment variables as a whole, so
// that a key id and a secret never come from two different identities.
func newFromConfig(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	first := func(vals ...string) string {
		for _, v := range vals {
			if v != "" {
				return v
			}
		}
		return ""
	}
	o := Options{
		Bucket:      cfg.String("bucket"),
		Prefix:      cfg.String("prefix"),
		Region:      first(cfg.String("region"), getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")),
		Endpoint:    first(cfg.String("endpoint"), getenv("AWS_ENDPOINT_URL_S3"), getenv("AWS_ENDPOINT_URL")),
		PathStyle:   cfg.Bool("path_style"),
		Anonymous:   cfg.Bool("anonymous"),
		PartSize:    cfg.Int("part_size_mb") << 20,
		MaxAttempts: int(cfg.Int("max_attempts")),
		Logger:      env.Logger,
	}
	if cfg.String("access_key_id") != "" || cfg.String("secret_access_key") != "" {
		o.AccessKeyID = cfg.String("access_key_id")
		o.SecretAccessKey = cfg.String("secret_access_key")
		o.SessionToken = cfg.String("session_token")
	} else {
		o.AccessKeyID = getenv("AWS_ACCESS_KEY_ID")
		o.SecretAccessKey = getenv("AWS_SECRET_ACCESS_KEY")
		o.SessionToken = first(cfg.String("session_token"), getenv("AWS_SESSION_TOKEN"))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return New(o)
}
