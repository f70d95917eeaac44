package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/embargo-watch/embargo/rules"
)

// command is one slash command: its declaration beside the code that answers
// it, as in discordgo's examples.
type command struct {
	def *discordgo.ApplicationCommand
	// handle answers the command. Errors made with refuse reach the user as
	// written; others are logged and the user sees a general message.
	handle func(ctx context.Context, r *request) (MessagePayload, error)
	// complete offers choices for the option being typed (autocomplete).
	complete func(ctx context.Context, r *request, option, typed string) []*discordgo.ApplicationCommandOptionChoice
	// page renders one page of a long answer, for its buttons.
	page func(ctx context.Context, r *request, page int, args string) (MessagePayload, error)
	// manage marks commands that change what the server receives: they need
	// Manage Channels, declared and checked.
	manage    bool
	ephemeral bool
	name      string
}

// commands declares every slash command, in the order Discord lists them.
func commands() []*command {
	return []*command{
		subscribeCommand(),
		unsubscribeCommand(),
		subscriptionsCommand(),
		lookupCommand(),
		alertsCommand(),
		rulesCommand(),
		sourcesCommand(),
		checkCommand(),
		muteCommand(),
		unmuteCommand(),
	}
}

// commandTable indexes the commands by name and completes their declarations.
func commandTable() map[string]*command {
	table := map[string]*command{}
	for _, c := range commands() {
		c.name = c.def.Name
		if c.manage {
			perm := int64(discordgo.PermissionManageChannels)
			c.def.DefaultMemberPermissions = &perm
		}
		guildOnly := false
		c.def.DMPermission = &guildOnly
		table[c.name] = c
	}
	return table
}

// commandList is the declarations for the bulk overwrite, in a stable order.
func commandList(table map[string]*command) []*discordgo.ApplicationCommand {
	var defs []*discordgo.ApplicationCommand
	for _, c := range commands() {
		defs = append(defs, table[c.def.Name].def)
	}
	return defs
}

// Option builders keep the declarations short.

func stringOpt(name, desc string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required}
}

func autocompleteOpt(name, desc string, required bool) *discordgo.ApplicationCommandOption {
	o := stringOpt(name, desc, required)
	o.Autocomplete = true
	return o
}

func choiceOpt(name, desc string, values []string) *discordgo.ApplicationCommandOption {
	o := stringOpt(name, desc, false)
	for _, v := range values {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v})
	}
	return o
}

func withMaxLength(o *discordgo.ApplicationCommandOption, n int) *discordgo.ApplicationCommandOption {
	o.MaxLength = n
	return o
}

// ruleOpt is a rule id option completed from the current rules.
func ruleOpt(desc string, required bool) *discordgo.ApplicationCommandOption {
	return withMaxLength(autocompleteOpt("rule", desc, required), 100)
}

func categoryOpt() *discordgo.ApplicationCommandOption {
	return choiceOpt("category", "Only alerts of this category", rules.Categories)
}

func severityOpt() *discordgo.ApplicationCommandOption {
	return choiceOpt("severity", "Only alerts of this severity or higher", rules.Severities)
}

// completeRules offers the current rules whose id or title contains what the
// user typed. It reads the rules at each keystroke, so a reload shows at once.
func (b *Bot) completeRules(typed string) []*discordgo.ApplicationCommandOptionChoice {
	set := b.cfg.Rules()
	if set == nil {
		return nil
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, rule := range set.Rules() {
		if !containsFold(rule.ID, typed) && !containsFold(rule.Title, typed) {
			continue
		}
		name := fitPlain(rule.ID+" — "+Clean(rule.Title), 100)
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: rule.ID})
		if len(choices) == maxChoices {
			break
		}
	}
	return choices
}

// completeRuleOption is the complete function of commands whose only
// autocompleted option is "rule".
func completeRuleOption(_ context.Context, r *request, option, typed string) []*discordgo.ApplicationCommandOptionChoice {
	if option != "rule" && option != "id" {
		return nil
	}
	return r.bot.completeRules(typed)
}

// currentRule finds a rule id in the current rules.
func (b *Bot) currentRule(id string) (*rules.Rule, error) {
	set := b.cfg.Rules()
	if set == nil {
		return nil, refuse("No rules are loaded.")
	}
	rule, ok := set.Rule(id)
	if !ok {
		return nil, refuse("There is no rule %s. Pick one from the list as you type.", Escape(id))
	}
	return rule, nil
}
