package view

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/render"

	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// The pull-request comment, inside GitHub Actions. action.yml sets these
// from its inputs comment, comment-key, comment-on-no-changes and
// github-token.
const (
	envComment            = "PLAINSYNC_COMMENT"
	envCommentKey         = "PLAINSYNC_COMMENT_KEY"
	envCommentOnNoChanges = "PLAINSYNC_COMMENT_ON_NO_CHANGES"
	envGitHubToken        = "PLAINSYNC_GITHUB_TOKEN"
)

// Given is what a command line named: its files (-f, or the default
// file) and, for apply, a saved plan.
type Given struct {
	Files     []string
	SavedPlan string
}

// commentReserve is the room each comment keeps for its heading, the
// errors and the footer around the rendered plan.
const commentReserve = 6000

// finishActions runs after every command inside Actions: it writes the
// exitcode output and, when the workflow asked for it, creates or updates
// the command's pull-request comment, which then shows this run's outcome,
// a failure included, and never an older plan. It returns the exit code,
// which a comment that could not be posted turns into a failure for the
// commands reviewers read it for.
//
// given is what the command line named, for the comments of a command that
// stopped before it read its files; cmdErr is nil when the command has
// reported its error already.
func (a *Actions) Finish(command string, code int, cmdErr error, given Given) int {
	if !a.Enabled() {
		return code
	}
	switch command {
	case "plan", "apply", "drift", "validate":
	default:
		return code
	}
	if a.getenv(envComment) == "true" {
		if err := a.postComment(command, code, cmdErr, given); err != nil {
			msg := "pull-request comment: " + a.secrets.Mask(err.Error())
			if command == "plan" || command == "validate" {
				_ = a.gha.Message(ghactions.LevelError, msg)
				if code == 0 {
					code = 1
				}
			} else {
				_ = a.gha.Message(ghactions.LevelWarning, msg)
			}
		}
	}
	if err := a.gha.SetOutput(ghactions.OutputExitCode, strconv.Itoa(code)); err != nil {
		fmt.Fprintf(a.errOut, "Error: %s\n", inert.Lines(a.secrets.Mask(err.Error())))
		if code == 0 {
			code = 1
		}
	}
	return code
}

func (a *Actions) postComment(command string, code int, cmdErr error, given Given) error {
	ev, err := a.gha.ReadEvent()
	if err != nil {
		return err
	}
	token := a.getenv(envGitHubToken)
	if token != "" {
		a.secrets.Add("GITHUB_TOKEN", token)
		if err := a.MaskSecrets(); err != nil {
			return err
		}
	}
	gh, err := ghactions.NewGitHub(a.getenv("GITHUB_API_URL"), token, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pr := ev.PR
	if pr == 0 && ev.SHA != "" && ev.Repo != "" {
		// A push (the merge of a reviewed pull request): report back on
		// the pull request the commit came from.
		prs, err := gh.PullRequestsOf(ctx, ev.Repo, ev.SHA)
		if err != nil {
			return err
		}
		if len(prs) > 0 {
			pr = prs[0]
		}
	}
	if pr == 0 || ev.Repo == "" {
		_ = a.gha.Message(ghactions.LevelNotice, "no pull request to comment on for this "+ev.Name+" event")
		return nil
	}
	r := &a.report
	if len(r.order) == 0 {
		// The command stopped before it read its files (a bad flag): the
		// comments of the files its command line names show the error.
		// "apply PLAN.json" is the plan's, whose comment is its file's.
		switch {
		case command == "apply" && given.SavedPlan != "":
			r.file(savedPlanFile(given.SavedPlan))
		default:
			r.noteFiles(given.Files)
		}
	}
	failedCode := code != 0 && !(code == 2 && (command == "drift" || command == "plan"))
	anyOwn := false
	for _, k := range r.order {
		anyOwn = anyOwn || r.files[k].ownFailure()
	}
	// Two names of one file (a path and its symlink, ./a.yaml and
	// /abs/a.yaml) or names that make the same marker share a comment:
	// it shows the first one that failed, else the first.
	type comment struct {
		fr   *fileReport
		path string
	}
	var order []string
	byMarker := map[string]comment{}
	for _, k := range r.order {
		fr := r.files[k]
		path := a.gha.RepoPath(fr.name)
		marker := commentMarker(command, a.getenv(envCommentKey), path)
		if c, ok := byMarker[marker]; !ok {
			order = append(order, marker)
			byMarker[marker] = comment{fr, path}
		} else if fr.ownFailure() && !c.fr.ownFailure() {
			byMarker[marker] = comment{fr, path}
		}
	}
	var errs []error
	comments := gh.PRComments(ev.Repo, pr) // listed once for every file
	for _, marker := range order {
		fr, path := byMarker[marker].fr, byMarker[marker].path
		// A failure no file explains (the step's own) fails every file.
		failed := fr.ownFailure() || r.all || (failedCode && (!fr.done || !anyOwn))
		onlyUpdate := a.getenv(envCommentOnNoChanges) == "false" && !failedCode && !fr.changes && r.fork == ""
		body := a.commentBody(command, code, cmdErr, ev, fr, path, failed, failedCode)
		res, err := a.gha.UpsertPRComment(ctx, comments, marker, body, onlyUpdate)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			continue
		}
		fmt.Fprintf(a.errOut, "Pull-request comment on #%d for %s: %s.\n", pr, inert.Text(path), res)
	}
	return errors.Join(errs...)
}

// commentMarker finds a file's comment again: one per command, comment
// key (the action's comment-key input, when set) and file, the file named
// from the repository's root so that it is the same whatever the step's
// working-directory. scripts/comment-install-failure.mjs makes the same
// marker when the install step fails and plainsync never ran.
func commentMarker(command, key, path string) string {
	if key != "" {
		return ghactions.Marker(command + " " + key + " " + path)
	}
	return ghactions.Marker(command + " " + path)
}

// commentBody is one file's comment: a status line, the errors, the
// file's parts and the step's, and a footer linking the run. failed says
// this file's outcome failed; failedCode that the step did (maybe for
// another file).
func (a *Actions) commentBody(command string, code int, cmdErr error, ev ghactions.Event, fr *fileReport, path string, failed, failedCode bool) string {
	r := &a.report
	var b strings.Builder
	what := path
	if key := a.getenv(envCommentKey); key != "" {
		what = key + " · " + path
	}
	where := " for " + code1(what)
	switch {
	case r.fork != "":
		fmt.Fprintf(&b, "#### ⏭️ plainsync %s%s: no plan on a fork\n\n", command, where)
	case !failed:
		status := "no changes"
		switch {
		case fr.status != "":
			status = fr.status
		case command == "apply" && fr.changes:
			status = "applied"
		case command == "validate":
			status = "valid"
		case command == "drift" && fr.changes:
			status = "drifted"
		case fr.changes:
			status = "changes to review"
		}
		fmt.Fprintf(&b, "#### plainsync %s%s: %s\n\n", command, where, status)
		if failedCode {
			fmt.Fprintf(&b, "> [!WARNING]\n> This step failed on another of its files (exit code %d): see that file's comment. This file's outcome below stands.\n\n", code)
		}
	default:
		fmt.Fprintf(&b, "#### ❌ plainsync %s%s failed\n\n", command, where)
		if command == "plan" && (!fr.done || fr.ownFailure()) {
			b.WriteString("No plan could be made; an earlier plan shown here no longer applies.\n\n")
		}
		if !fr.ownFailure() && !r.all && !fr.done && len(r.order) > 1 {
			b.WriteString("This file was not reached: the step stopped on an error in another of its files (see that file's comment).\n\n")
		}
	}
	var errs []string
	for _, ps := range [][]spec.Problem{fr.problems, r.step.problems} {
		for _, p := range ps {
			if p.Severity != spec.SeverityWarning || failed {
				errs = append(errs, p.String())
			}
		}
	}
	errs = append(errs, fr.errs...)
	errs = append(errs, r.step.errs...)
	if failed && cmdErr != nil {
		errs = append(errs, "Error: "+secret.RedactURLsInText(a.secrets.Mask(cmdErr.Error())))
	}
	if len(errs) > 0 {
		b.WriteString(codeBlock(inert.Lines(a.secrets.Mask(strings.Join(errs, "\n")))))
		b.WriteString("\n")
	}
	for _, p := range append(append([]string(nil), fr.parts...), r.step.parts...) {
		b.WriteString(strings.TrimRight(p, "\n"))
		b.WriteString("\n\n")
	}
	b.WriteString("<sub>plainsync " + command)
	if ev.SHA != "" {
		b.WriteString(" for " + code1(short7(ev.SHA)))
	}
	if run := a.gha.RunURL(); run != "" {
		b.WriteString(" · [run](" + run + ")")
	}
	if failedCode {
		b.WriteString(" · exit code " + strconv.Itoa(code))
	}
	b.WriteString("</sub>\n")
	return b.String()
}

func short7(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// code1 is inline code for a comment: a code span, since GitHub renders
// Markdown inside <code>…</code> in a heading (a file named
// "[x](https://…).yaml" would be a link).
func code1(s string) string { return render.CodeSpan(s) }

// forkWithoutKey says why plan cannot run here, or "": inside Actions, on
// a pull request from a fork, GitHub gives the workflow none of the
// repository's secrets, so a file whose API key is unset cannot be
// planned. Failing would paint every outside contribution red for
// something its author cannot fix; plan validates instead and says so.
func (a *Actions) ForkWithoutKey(paths []string) string {
	if !a.Enabled() {
		return ""
	}
	ev, err := a.gha.ReadEvent()
	if err != nil || !ev.Fork {
		return ""
	}
	files, _ := spec.ExpandPaths(paths)
	for _, file := range files {
		d, _ := spec.LoadForValidate(file, a.env)
		keyEnv := spec.DefaultAPIKeyEnv
		if d != nil && d.APIKeyEnv != "" {
			keyEnv = d.APIKeyEnv
		}
		if strings.TrimSpace(a.getenv(keyEnv)) == "" {
			return fmt.Sprintf("this pull request comes from a fork, and GitHub runs the workflows of fork pull requests without the repository's secrets, so $%s is not set. The files were validated only; a maintainer can plan them by pushing the branch to this repository.", keyEnv)
		}
	}
	return ""
}

// NoPlanOnFork records why plan validated only (ForkWithoutKey): every
// comment of the step says so, and the log gets a notice.
func (a *Actions) NoPlanOnFork(reason string) {
	if a == nil {
		return
	}
	a.report.fork = reason
	_ = a.gha.Message(ghactions.LevelNotice, "No plan: "+reason)
}
