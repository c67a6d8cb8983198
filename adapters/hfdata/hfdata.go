// Package hfdata is the `hf` dataset_store adapter: it reads datasets from
// Hugging Face hub dataset repositories (hf://ORG/NAME[@REVISION][#SUBSET],
// see hubsource.Source) and, like the `local` store, files on this machine (file://
// URIs and plain paths), so one manifest can serve every recipe.
//
// For an hf:// source it lists the repository through the hub_client port,
// picks the Parquet, JSONL, JSON or CSV files of the requested split (see
// selectFiles for the rules), and downloads each through the hub client,
// whose cache keeps it for later runs. Files are downloaded one at a time
// as the rows are read, so a dataset with a `limit` fetches only the
// shards it reads. Rows are decoded by the `local` store's readers
// (files.ReadFile): bad rows carry their file (hf://ORG/NAME/PATH) and
// line or row number exactly as local files do.
package hfdata

import (
	"context"
	"errors"
	"fmt"
	"github.com/cookbookc/cookbookc/lang/hubsource"
	"iter"
	"log/slog"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/files"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// AdapterName is the name the adapter registers under.
const AdapterName = "hf"

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port:    schema.PortDatasetStore,
			Name:    AdapterName,
			Summary: "Reads hub datasets (hf://ORG/NAME[@REVISION][#SUBSET]) through the hub_client port, and local files like the local store.",
			Config: []schema.Field{
				{Name: "root", Type: schema.String, Doc: "Directory that relative file paths are resolved against instead of the recipe's directory (hf:// sources ignore it)."},
			},
			Sources: []string{"file", "hf"},
		},
		New: func(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
			return &Store{
				Local:  files.Store{Root: cfg.String("root")},
				Hub:    hubFromEnv(env),
				Logger: env.Logger,
			}, nil
		},
	})
}

// hubFromEnv returns the hub client bound to the hub_client port,
// constructed only when an hf:// source is opened: a run reading local
// files never builds it.
func hubFromEnv(env registry.Env) func(context.Context) (ports.HubClient, error) {
	return func(ctx context.Context) (ports.HubClient, error) {
		if env.Port == nil {
			return nil, errors.New("no hub_client port is available to read hf:// sources")
		}
		v, err := env.Port(ctx, schema.PortHubClient)
		if err != nil {
			return nil, err
		}
		hub, ok := v.(ports.HubClient)
		if !ok {
			return nil, fmt.Errorf("the adapter bound to hub_client (%T) is not a hub client", v)
		}
		return hub, nil
	}
}

// Store is the hf dataset store.
type Store struct {
	// Local reads file:// and plain-path sources.
	Local files.Store
	// Hub returns the hub client that lists and downloads repository
	// files; it is called on the first hf:// open.
	Hub func(context.Context) (ports.HubClient, error)
	// Logger, when set, gets one line per hf:// dataset opened.
	Logger *slog.Logger
}

var _ ports.DatasetStore = (*Store)(nil)

// Open implements ports.DatasetStore.
func (s *Store) Open(ctx context.Context, ref ports.DatasetRef) (iter.Seq2[ports.Record, error], error) {
	if !strings.HasPrefix(ref.Source, hubsource.Scheme) {
		return s.Local.Open(ctx, ref)
	}
	wrap := func(err error) error { return ports.Wrap(schema.PortDatasetStore, AdapterName, "open", err) }
	src, err := hubsource.Parse(ref.Source)
	if err != nil {
		return nil, wrap(err)
	}
	if s.Hub == nil {
		return nil, wrap(errors.New("no hub client configured to read hf:// sources"))
	}
	hub, err := s.Hub(ctx)
	if err != nil {
		return nil, wrap(fmt.Errorf("%s: %w", src.Base, err))
	}
	repo := ports.DatasetRepoPrefix + src.Repo
	listing, err := hub.ListFiles(ctx, repo, src.Revision)
	if err != nil {
		return nil, wrap(fmt.Errorf("%s: listing the repository: %w", src.Base, err))
	}
	picked, err := selectFiles(listing, selection{
		name: src.Base, repo: src.Repo, subset: src.Subset, split: ref.Split, fileFormat: ref.FileFormat,
	})
	if err != nil {
		return nil, wrap(err)
	}
	if s.Logger != nil {
		s.Logger.Info("hub dataset", "source", ref.Source, "split", splitOrTrain(ref.Split),
			"files", len(picked), "format", picked[0].format, "first", picked[0].path)
	}
	return func(yield func(ports.Record, error) bool) {
		for _, f := range picked {
			local, err := hub.Download(ctx, repo, f.path, src.Revision)
			if err != nil {
				yield(ports.Record{}, wrap(fmt.Errorf("%s: %w", src.Base, err)))
				return
			}
			rows, err := files.ReadFile(ctx, local, src.Base+"/"+f.path, f.format, ref.RowLimit())
			if err != nil { // the format comes from files.FileFormat: cannot happen
				yield(ports.Record{}, wrap(err))
				return
			}
			for rec, err := range rows {
				if !yield(rec, err) || err != nil {
					return
				}
			}
		}
	}, nil
}

func splitOrTrain(split string) string {
	if split == "" {
		return "train"
	}
	return split
}
