package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	flag "github.com/spf13/pflag"
)

// Shell completion scripts, generated from the commands' own flag
// registrations (envFlags, changeFlags, planFlags) so that a flag added
// there is completed without further work. The scripts are static: the
// shell never runs pipup to complete, which keeps completion instant and
// works before any environment exists. (cobra generates such scripts too,
// but only for cobra commands; restructuring every command for that was
// more churn than these ~200 lines.)

// completionCommand is one command as the completion scripts see it.
type completionCommand struct {
	name, summary string
	fs            *flag.FlagSet
	args          string // what positional arguments are: "packages", "shells" or ""
	// subs are the command's own commands (`pipup cache info|clean`), each
	// with its flags; the first word after the command names one.
	subs []completionCommand
}

func newCompletionSet(name string, register ...func(*flag.FlagSet)) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, r := range register {
		r(fs)
	}
	return fs
}

// completionCommands mirrors main's dispatch; TestCompletionMatchesHelp
// checks each set against the command's --help.
func completionCommands() []completionCommand {
	env := func(fs *flag.FlagSet) { new(envFlags).register(fs) }
	change := func(fs *flag.FlagSet) { new(changeFlags).register(fs) }
	plan := func(fs *flag.FlagSet) { new(planFlags).register(fs) }
	all := func(fs *flag.FlagSet) { allFlag(fs) }
	none := func(*flag.FlagSet) {}
	cacheInfo := func(fs *flag.FlagSet) { cacheInfoFlags(fs, new(bool), new(byteSize)) }
	cacheClean := func(fs *flag.FlagSet) { cacheCleanFlags(fs, new(string)) }
	return []completionCommand{
		{summary: "check, pick and upgrade in the terminal UI", fs: newCompletionSet("pipup", env, change, plan, func(fs *flag.FlagSet) {
			fs.Bool("version", false, "print the version")
		}), args: "packages"},
		{name: "list", summary: "list outdated packages", fs: newCompletionSet("pipup list", env, func(fs *flag.FlagSet) { listOnlyFlags(fs) }), args: "packages"},
		{name: "upgrade", summary: "upgrade packages", fs: newCompletionSet("pipup upgrade", env, change, all, plan), args: "packages"},
		{name: "undo", summary: "restore the versions before the last upgrade", fs: newCompletionSet("pipup undo", env, change)},
		{name: "history", summary: "list the saved snapshots", fs: newCompletionSet("pipup history", env)},
		{name: "config", summary: "show pipup's settings and where each came from", fs: newCompletionSet("pipup config", func(fs *flag.FlagSet) { configOnlyFlags(fs) })},
		{name: "cache", summary: "show or empty pipup's HTTP cache (info, clean)", fs: newCompletionSet("pipup cache", none), subs: []completionCommand{
			{name: "info", summary: "where the HTTP cache is, its size and contents", fs: newCompletionSet("pipup cache info", cacheInfo)},
			{name: "clean", summary: "remove entries, all or those unused for a while", fs: newCompletionSet("pipup cache clean", cacheClean)},
		}},
		{name: "completion", summary: "print a shell completion script", fs: newCompletionSet("pipup completion", none), args: "shells"},
		{name: "help", summary: "show help", fs: newCompletionSet("pipup help", none)},
		{name: "version", summary: "print the version", fs: newCompletionSet("pipup version", none)},
	}
}

// runCompletion is `pipup completion bash|zsh|fish`.
func runCompletion(args []string, io stdio) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(io.out, completionUsage)
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintf(io.err, "pipup completion: name one shell: bash, zsh or fish (see pipup completion --help)\n")
		return exitUsage
	}
	var err error
	switch args[0] {
	case "bash":
		err = writeBash(io.out, completionCommands())
	case "zsh":
		err = writeZsh(io.out, completionCommands())
	case "fish":
		err = writeFish(io.out, completionCommands())
	default:
		fmt.Fprintf(io.err, "pipup completion: unknown shell %q: bash, zsh or fish\n", args[0])
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(io.err, "pipup completion: %v\n", err)
		return exitFailed
	}
	return exitOK
}

const completionUsage = `Usage: pipup completion bash|zsh|fish

Print a script that completes pipup's commands and options in that shell.

  bash:  source <(pipup completion bash)      # in ~/.bashrc
  zsh:   pipup completion zsh > "${fpath[1]}/_pipup"
  fish:  pipup completion fish > ~/.config/fish/completions/pipup.fish
`

// flagInfo is one flag as the scripts need it.
type flagInfo struct {
	long, short, usage string
	repeatable         bool
	value              string // "" for a boolean; else its kind: "path", "URL", ...
}

func flagsOf(fs *flag.FlagSet) []flagInfo {
	var out []flagInfo
	fs.VisitAll(func(f *flag.Flag) {
		varname, usage := flag.UnquoteUsage(f)
		_, list := f.Value.(*stringList)
		fi := flagInfo{long: f.Name, short: f.Shorthand, usage: firstClause(usage), repeatable: list}
		if f.Value.Type() != "bool" {
			fi.value = varname
			if fi.value == "" {
				fi.value = "value"
			}
		}
		out = append(out, fi)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].long < out[j].long })
	return out
}

// firstClause keeps a description short enough for a completion menu.
func firstClause(s string) string {
	if i := strings.IndexAny(s, "(;"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// withSubs is cmds followed by every subcommand, each named with its
// command ("cache info"), for the places where the scripts treat them alike.
func withSubs(cmds []completionCommand) []completionCommand {
	out := slices.Clone(cmds)
	for _, c := range cmds {
		for _, s := range c.subs {
			s.name = c.name + " " + s.name
			out = append(out, s)
		}
	}
	return out
}

// subNames are the names of c's subcommands.
func subNames(c completionCommand) []string {
	var names []string
	for _, s := range c.subs {
		names = append(names, s.name)
	}
	return names
}

// takesPath reports values the shell should complete as file names.
func (f flagInfo) takesPath() bool {
	return f.value == "path" || f.long == "find-links"
}

func writeBash(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString("# bash completion for pipup (generated by `pipup completion bash`)\n")
	b.WriteString("_pipup() {\n")
	b.WriteString("    local cur prev cmd sub i j\n")
	b.WriteString("    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n")
	b.WriteString("    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	b.WriteString("    cmd=\"\"\n")
	var names []string
	for _, c := range cmds {
		if c.name != "" {
			names = append(names, c.name)
		}
	}
	b.WriteString("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
	fmt.Fprintf(&b, "        case \"${COMP_WORDS[i]}\" in %s) cmd=\"${COMP_WORDS[i]}\"; break ;; esac\n", strings.Join(names, "|"))
	b.WriteString("    done\n")
	// The subcommand, if any: the first of its names after the command.
	b.WriteString("    sub=\"\"\n")
	b.WriteString("    case \"$cmd\" in\n")
	for _, c := range cmds {
		if len(c.subs) > 0 {
			fmt.Fprintf(&b, "        %s) for ((j = i + 1; j < COMP_CWORD; j++)); do case \"${COMP_WORDS[j]}\" in %s) sub=\"${COMP_WORDS[j]}\"; break ;; esac; done ;;\n",
				c.name, strings.Join(subNames(c), "|"))
		}
	}
	b.WriteString("    esac\n")
	// A flag that takes a value: complete the value, never another flag.
	var pathFlags, valueFlags []string
	seen := map[string]bool{}
	for _, c := range withSubs(cmds) {
		for _, f := range flagsOf(c.fs) {
			if f.value == "" || seen[f.long] {
				continue
			}
			seen[f.long] = true
			opts := []string{"--" + f.long}
			if f.short != "" {
				opts = append(opts, "-"+f.short)
			}
			if f.takesPath() {
				pathFlags = append(pathFlags, opts...)
			} else {
				valueFlags = append(valueFlags, opts...)
			}
		}
	}
	b.WriteString("    case \"$prev\" in\n")
	fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(pathFlags, "|"))
	fmt.Fprintf(&b, "        %s) COMPREPLY=(); return ;;\n", strings.Join(valueFlags, "|"))
	b.WriteString("    esac\n")
	b.WriteString("    local opts\n")
	b.WriteString("    case \"$cmd${sub:+ $sub}\" in\n")
	for _, c := range withSubs(cmds) {
		var opts []string
		for _, f := range flagsOf(c.fs) {
			opts = append(opts, "--"+f.long)
			if f.short != "" {
				opts = append(opts, "-"+f.short)
			}
		}
		opts = append(opts, "--help", "-h")
		fmt.Fprintf(&b, "        %q) opts=%q ;;\n", c.name, strings.Join(opts, " "))
	}
	b.WriteString("    esac\n")
	b.WriteString("    if [[ \"$cur\" == -* ]]; then\n")
	b.WriteString("        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n")
	b.WriteString("    elif [[ -z \"$cmd\" ]]; then\n")
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(names, " "))
	b.WriteString("    elif [[ \"$cmd\" == completion ]]; then\n")
	b.WriteString("        COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\"))\n")
	for _, c := range cmds {
		if len(c.subs) > 0 {
			fmt.Fprintf(&b, "    elif [[ \"$cmd\" == %s && -z \"$sub\" ]]; then\n", c.name)
			fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(subNames(c), " "))
		}
	}
	b.WriteString("    fi\n")
	b.WriteString("}\n")
	b.WriteString("complete -F _pipup pipup\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// zshQuote escapes a description for _arguments' [...] inside '...'.
func zshQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`, `\`, `\\`)
	return r.Replace(s)
}

// zshArguments is the _arguments call completing c's flags and
// arguments, its continuation lines indented by indent.
func zshArguments(c completionCommand, indent string) string {
	var specs []string
	for _, f := range flagsOf(c.fs) {
		desc := "[" + zshQuote(f.usage) + "]"
		val, eq := "", ""
		if f.value != "" {
			eq = "="
			action := " "
			if f.takesPath() {
				action = "_files"
			}
			val = ":" + zshQuote(f.value) + ":" + action
		}
		switch {
		case f.repeatable && f.short != "":
			specs = append(specs, fmt.Sprintf("'*'{-%s,--%s%s}'%s%s'", f.short, f.long, eq, desc, val))
		case f.repeatable:
			specs = append(specs, fmt.Sprintf("'*--%s%s%s%s'", f.long, eq, desc, val))
		case f.short != "":
			specs = append(specs, fmt.Sprintf("'(-%s --%s)'{-%s,--%s%s}'%s%s'", f.short, f.long, f.short, f.long, eq, desc, val))
		default:
			specs = append(specs, fmt.Sprintf("'--%s%s%s%s'", f.long, eq, desc, val))
		}
	}
	specs = append(specs, "'(- *)'{-h,--help}'[show help]'")
	switch {
	case c.name == "":
		specs = append(specs, "'1: :{_describe command commands}'", "'*:package: '")
	case c.args == "packages":
		specs = append(specs, "'*:package: '")
	case c.args == "shells":
		specs = append(specs, "'1:shell:(bash zsh fish)'")
	}
	return "_arguments -s \\\n" + indent + "    " + strings.Join(specs, " \\\n"+indent+"    ")
}

func writeZsh(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString("#compdef pipup\n")
	b.WriteString("# zsh completion for pipup (generated by `pipup completion zsh`)\n\n")
	b.WriteString("_pipup() {\n")
	b.WriteString("    local -a commands\n")
	b.WriteString("    commands=(\n")
	for _, c := range cmds {
		if c.name != "" {
			fmt.Fprintf(&b, "        '%s:%s'\n", c.name, zshQuote(c.summary))
		}
	}
	b.WriteString("    )\n")
	b.WriteString("    local cmd=\"\"\n")
	b.WriteString("    if (( CURRENT > 2 )) && (( ${+commands[(r)${words[2]}:*]} )); then cmd=\"${words[2]}\"; fi\n")
	b.WriteString("    case \"$cmd\" in\n")
	for _, c := range cmds {
		pattern := c.name
		if pattern == "" {
			pattern = `""`
		}
		fmt.Fprintf(&b, "        %s)\n", pattern)
		if c.name != "" {
			b.WriteString("            shift words; (( CURRENT-- ))\n")
		}
		if len(c.subs) == 0 {
			b.WriteString("            " + zshArguments(c, "            ") + "\n")
			b.WriteString("            ;;\n")
			continue
		}
		// A command with subcommands dispatches once more, as above.
		b.WriteString("            local -a subcommands\n")
		b.WriteString("            subcommands=(\n")
		for _, sc := range c.subs {
			fmt.Fprintf(&b, "                '%s:%s'\n", sc.name, zshQuote(sc.summary))
		}
		b.WriteString("            )\n")
		b.WriteString("            local sub=\"\"\n")
		b.WriteString("            if (( CURRENT > 2 )) && (( ${+subcommands[(r)${words[2]}:*]} )); then sub=\"${words[2]}\"; fi\n")
		b.WriteString("            case \"$sub\" in\n")
		fmt.Fprintf(&b, "                \"\")\n                    _arguments -s '(- *)'{-h,--help}'[show help]' '1: :{_describe \"%s command\" subcommands}'\n                    ;;\n", c.name)
		for _, sc := range c.subs {
			fmt.Fprintf(&b, "                %s)\n", sc.name)
			b.WriteString("                    shift words; (( CURRENT-- ))\n")
			b.WriteString("                    " + zshArguments(sc, "                    ") + "\n")
			b.WriteString("                    ;;\n")
		}
		b.WriteString("            esac\n")
		b.WriteString("            ;;\n")
	}
	b.WriteString("    esac\n")
	b.WriteString("}\n\n")
	b.WriteString("if [ \"$funcstack[1]\" = \"_pipup\" ]; then\n    _pipup \"$@\"\nelse\n    compdef _pipup pipup\nfi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// fishQuote quotes s for fish's single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString("# fish completion for pipup (generated by `pipup completion fish`)\n")
	b.WriteString("complete -c pipup -f\n")
	var names []string
	for _, c := range cmds {
		if c.name != "" {
			names = append(names, c.name)
			fmt.Fprintf(&b, "complete -c pipup -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
		}
	}
	for _, c := range cmds {
		cond := "__fish_use_subcommand"
		if c.name != "" {
			cond = "__fish_seen_subcommand_from " + c.name
		}
		writeFishFlags(&b, c, cond)
		if len(c.subs) == 0 {
			continue
		}
		subs := strings.Join(subNames(c), " ")
		for _, sc := range c.subs {
			fmt.Fprintf(&b, "complete -c pipup -n %s -a %s -d %s\n",
				fishQuote(cond+"; and not __fish_seen_subcommand_from "+subs), sc.name, fishQuote(sc.summary))
		}
		for _, sc := range c.subs {
			writeFishFlags(&b, sc, cond+"; and __fish_seen_subcommand_from "+sc.name)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFishFlags completes c's flags (and its shell argument) where the
// fish condition cond holds.
func writeFishFlags(b *strings.Builder, c completionCommand, cond string) {
	for _, f := range flagsOf(c.fs) {
		line := fmt.Sprintf("complete -c pipup -n %s -l %s", fishQuote(cond), f.long)
		if f.short != "" {
			line += " -s " + f.short
		}
		if f.value != "" {
			line += " -r"
			if f.takesPath() {
				line += " -F"
			}
		}
		b.WriteString(line + " -d " + fishQuote(f.usage) + "\n")
	}
	fmt.Fprintf(b, "complete -c pipup -n %s -s h -l help -d 'show help'\n", fishQuote(cond))
	if c.args == "shells" {
		fmt.Fprintf(b, "complete -c pipup -n %s -a 'bash zsh fish'\n", fishQuote(cond))
	}
}
