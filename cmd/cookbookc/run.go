package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/interp/progress"
	"github.com/cookbookc/cookbookc/lang/diag"
)

func init() { register(newRunCmd) }

type runFlags struct {
	manifest   string
	ports      []string
	vars       []string
	experiment string
	parallel   int
	dryRun     bool
	resume     string
	runsDir    string
	quiet      bool
	json       bool
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] RECIPE|plan.json",
		Short: "Run a recipe (or a compiled plan) against the adapters a manifest chooses",
		Long: `Run compiles the recipe (or reads a plan.json written by 'cookbookc compile'),
binds every port to the adapter the manifest chooses, and runs the stages,
independent ones in parallel. Everything is journaled to a run directory,
runs/<experiment>/<run-id>/, so an interrupted run can be continued with
--resume: finished stages whose inputs did not change are reused, an
interrupted stage restarts from its last checkpoint, and stages whose
inputs changed run again (the output says which and why).

Ctrl-C (SIGINT) or SIGTERM stops the stages at a safe point and exits with
status 130; a second signal exits at once. With --dry-run nothing runs and
nothing is written: the plan is printed with the adapter behind every port.

Exit status: 0 the run finished; 1 the recipe has errors or a stage failed;
2 usage errors; 130 interrupted.`,
		Example: `  cookbookc run examples/sl_basic.hcl
  cookbookc run examples/sl_basic.hcl --manifest test --dry-run
  cookbookc run recipe.hcl --manifest prod --var model=Qwen/Qwen3-8B
  cookbookc run --resume runs/sl_basic/20260101-120000-a1b2c3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.manifest, "manifest", "", `manifest choosing the adapters: default, local, dev, test, prod or one the recipe declares (default "default"; a resume reuses the run's)`)
	fl.StringArrayVar(&f.ports, "port", nil, "override a port binding: PORT=ADAPTER (repeatable)")
	fl.StringArrayVar(&f.vars, "var", nil, "set a recipe variable: NAME=VALUE (repeatable)")
	fl.StringVar(&f.experiment, "experiment", "", "the experiment to run when the recipe has several")
	fl.IntVar(&f.parallel, "parallel", 0, "run at most N stages at once (default: the number of CPUs)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would run, with the adapter behind each port; run and write nothing")
	fl.StringVar(&f.resume, "resume", "", "continue the run in this run directory")
	fl.StringVar(&f.runsDir, "runs-dir", "runs", "where new run directories are created")
	fl.BoolVar(&f.quiet, "quiet", false, "print only errors")
	fl.BoolVar(&f.json, "json", false, "stream the run's events to stdout as JSON lines")
	return cmd
}

func runRun(cmd *cobra.Command, f runFlags, args []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if len(args) == 0 && f.resume == "" {
		return usagef("run needs a RECIPE or plan.json (or --resume RUN_DIR)\nSee 'cookbookc run --help'.")
	}
	if f.parallel < 0 {
		return usagef("--parallel must be at least 1 (or 0 for the number of CPUs), not %d", f.parallel)
	}
	if f.quiet && f.json {
		return usagef("--quiet and --json cannot be used together")
	}
	if len(args) == 0 && (len(f.vars) > 0 || f.experiment != "") {
		return usagef("--var and --experiment need the RECIPE: a run directory's plan.json is already compiled")
	}
	vars, err := parseAssignments("--var", f.vars)
	if err != nil {
		return err
	}
	ports, err := parseAssignments("--port", f.ports)
	if err != nil {
		return err
	}
	manifest, portOverrides := f.manifest, ports
	if f.resume != "" {
		info, err := interp.ReadRunInfo(f.resume)
		if err != nil {
			return failf("%v", err)
		}
		// A resume runs with the adapters of the original run unless told
		// otherwise.
		if manifest == "" {
			manifest = info.Manifest
		}
		if len(f.ports) == 0 {
			portOverrides = info.PortOverrides
		}
	}
	cat := interp.Catalog()

	// Load the plan and resolve the manifest: every problem is a
	// diagnostic printed before anything runs.
	var plan *ir.Plan
	path := ""
	if len(args) == 0 {
		if plan, err = interp.ReadRunPlan(f.resume); err != nil {
			return failf("%v", err)
		}
	} else {
		path = args[0]
		if interp.IsPlanFile(path) && len(vars) > 0 {
			return usagef("--var applies to recipes; %s is an already compiled plan", path)
		}
	}
	loaded, diags := interp.Load(path, plan, interp.LoadOptions{Catalog: cat, Vars: vars, Experiment: f.experiment,
		Manifest: manifest, Ports: portOverrides, Resume: f.resume != ""})
	if len(diags) > 0 && !(f.quiet && !diags.HasErrors()) {
		var err error
		if f.json {
			// stdout is a stream of JSON lines: one per diagnostic.
			err = diag.WriteJSONLines(stdout, diags)
		} else {
			err = diag.WriteText(stderr, diags, loaded.Sources)
		}
		if err != nil {
			return failf("writing diagnostics: %v", err)
		}
	}
	if diags.HasErrors() || loaded.Plan == nil {
		return silentExit(exitFailure)
	}

	opts := interp.Options{
		Plan: loaded.Plan, Catalog: cat, Bindings: loaded.Bindings,
		Manifest: loaded.Manifest, PortOverrides: portOverrides,
		RunsDir: f.runsDir, ResumeDir: f.resume, Parallel: f.parallel,
	}
	if f.dryRun {
		if err := interp.DryRun(stdout, opts); err != nil {
			return failf("%v", err)
		}
		return nil
	}

	obs, say, closeObs := observer(f, stdout, stderr)
	opts.Observer = obs
	ctx, stop := withSignals(cmd.Context(), say, f.quiet)
	defer stop()
	res, err := interp.Run(ctx, opts)
	closeObs()
	if err != nil {
		return failf("%v", err)
	}
	switch res.Status {
	case interp.StatusOK:
		if !f.quiet && !f.json {
			fmt.Fprintf(stderr, "run finished: %s\n", res.RunDir)
		}
		return nil
	case interp.StatusInterrupted:
		if !f.json {
			fmt.Fprintf(stderr, "cookbookc: run interrupted; continue it with: cookbookc run --resume %s\n", res.RunDir)
		}
		return silentExit(exitInterrupted)
	default:
		return failf("run failed (run directory %s):\n%v", res.RunDir, res.Err)
	}
}

// observer picks how the run is shown: JSON events on stdout (--json),
// nothing (--quiet), live bars when stderr is a terminal, plain lines
// otherwise. say prints a message of the CLI's own on stderr, above the
// live bars if there are any.
func observer(f runFlags, stdout, stderr io.Writer) (obs interp.Observer, say func(string), closeObs func()) {
	say = func(msg string) { fmt.Fprintln(stderr, msg) }
	switch {
	case f.json:
		return progress.NewJSON(stdout), say, func() {}
	case f.quiet:
		return interp.ObserverFunc(func(interp.Event) {}), say, func() {}
	}
	if file, ok := stderr.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		d := progress.NewLive(stderr, func() int {
			w, _, err := term.GetSize(int(file.Fd()))
			if err != nil {
				return 80
			}
			return w
		})
		return d, d.Message, d.Close
	}
	return progress.NewPlain(stderr), say, func() {}
}

// withSignals returns a context cancelled by the first SIGINT or SIGTERM;
// a second signal exits the process at once with status 130 (the journal
// stays readable: at worst its last line is torn, which a resume drops).
func withSignals(parent context.Context, say func(string), quiet bool) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			if !quiet {
				say(fmt.Sprintf("cookbookc: %v: stopping stages at a safe point (send it again to exit at once)", s))
			}
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
		case <-done:
			// The run ended; a second signal that arrived meanwhile still
			// wins (select picks at random among ready cases).
			select {
			case <-sigs:
			default:
				return
			}
		}
		// Exit even if the message cannot be written (a terminal
		// paused with Ctrl-S blocks every write).
		said := make(chan struct{})
		go func() {
			say("cookbookc: second signal: exiting now")
			close(said)
		}()
		select {
		case <-said:
		case <-time.After(200 * time.Millisecond):
		}
		os.Exit(exitInterrupted)
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
