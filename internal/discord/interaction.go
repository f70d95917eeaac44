package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	// autoDefer is when a command still working is deferred, to stay within
	// Discord's 3-second deadline for the first answer.
	autoDefer = 2 * time.Second
	// commandTimeout bounds a command's work after it was deferred.
	commandTimeout = 60 * time.Second
	// autocompleteTimeout bounds an autocomplete answer, which cannot be deferred.
	autocompleteTimeout = 2500 * time.Millisecond
)

// userError is an error whose message is meant for the user as it is.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

// Refusal returns an error that a command shows to the user as written, for
// the functions of Config (Lookup, Sources, FetchText) to explain themselves.
func Refusal(format string, args ...any) error { return refuse(format, args...) }

// refuse returns an error shown to the user as written.
func refuse(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// request is one slash command, button press or autocomplete, and the way
// back to the user who sent it.
type request struct {
	bot  *Bot
	i    *discordgo.Interaction
	opts map[string]*discordgo.ApplicationCommandInteractionDataOption

	mu        sync.Mutex
	ephemeral bool // the command answers ephemerally
	deferred  bool // a deferred answer ("thinking…") is showing
	answered  bool
}

// handle answers one interaction. It runs on discordgo's event goroutine.
func (b *Bot) handle(i *discordgo.Interaction) {
	r := &request{bot: b, i: i}
	defer func() {
		// A bug in one command must not take the bot (and delivery) down.
		if p := recover(); p != nil {
			b.cfg.Log.Error("command panicked", "interaction", i.ID, "panic", p, "stack", string(debug.Stack()))
			r.fail(fmt.Errorf("panic: %v", p))
		}
	}()
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		r.opts = optionMap(data.Options)
		b.runCommand(r, b.commands[data.Name])
	case discordgo.InteractionApplicationCommandAutocomplete:
		data := i.ApplicationCommandData()
		r.opts = optionMap(data.Options)
		b.runAutocomplete(r, b.commands[data.Name])
	case discordgo.InteractionMessageComponent:
		b.runPageButton(r, i.MessageComponentData().CustomID)
	}
}

// runCommand runs a command's handler and answers with what it returns, or
// with its error (ephemerally). A handler that takes long is deferred.
func (b *Bot) runCommand(r *request, c *command) {
	if c == nil {
		r.fail(refuse("This command is not known to this version of embargo."))
		return
	}
	r.ephemeral = c.ephemeral
	if c.manage && !r.canManageChannels() {
		r.fail(refuse("You need the Manage Channels permission to use /%s.", c.name))
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, commandTimeout)
	defer cancel()
	timer := time.AfterFunc(autoDefer, func() { r.deferReply(ctx) })
	defer timer.Stop()
	msg, err := c.handle(ctx, r)
	if err != nil {
		r.fail(err)
		return
	}
	r.reply(ctx, msg)
}

// runAutocomplete answers an autocomplete with the command's choices.
func (b *Bot) runAutocomplete(r *request, c *command) {
	var choices []*discordgo.ApplicationCommandOptionChoice
	if c != nil && c.complete != nil {
		ctx, cancel := context.WithTimeout(b.ctx, autocompleteTimeout)
		defer cancel()
		focused := r.focused()
		typed, _ := focused.Value.(string) // integer options arrive as typed text too
		choices = c.complete(ctx, r, focused.Name, typed)
	}
	if len(choices) > maxChoices {
		choices = choices[:maxChoices]
	}
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	r.callback(b.ctx, discordgo.InteractionApplicationCommandAutocompleteResult,
		map[string]any{"choices": choices})
}

// maxChoices is the most choices an autocomplete may offer.
const maxChoices = 25

// canManageChannels reports whether the member who sent the command holds
// Manage Channels (or Administrator) in this channel, as Discord computed it.
func (r *request) canManageChannels() bool {
	if r.i.Member == nil {
		return false // a DM: there is no server to change
	}
	const need = discordgo.PermissionManageChannels | discordgo.PermissionAdministrator
	return r.i.Member.Permissions&need != 0
}

// user is the id of who sent the interaction.
func (r *request) user() string {
	switch {
	case r.i.Member != nil && r.i.Member.User != nil:
		return r.i.Member.User.ID
	case r.i.User != nil:
		return r.i.User.ID
	}
	return ""
}

func (r *request) guild() string { return r.i.GuildID }

// str is a string option, "" when absent.
func (r *request) str(name string) string {
	if o, ok := r.opts[name]; ok {
		if s, ok := o.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// integer is an integer option, 0 when absent.
func (r *request) integer(name string) int64 {
	if o, ok := r.opts[name]; ok {
		if f, ok := o.Value.(float64); ok {
			return int64(f)
		}
	}
	return 0
}

// focused is the option the user is typing in an autocomplete.
func (r *request) focused() *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range r.opts {
		if o.Focused {
			return o
		}
	}
	return &discordgo.ApplicationCommandInteractionDataOption{}
}

// deferReply tells Discord the answer comes later ("thinking…").
func (r *request) deferReply(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.answered || r.deferred {
		return
	}
	data := MessagePayload{Flags: r.flags()}
	if err := r.callbackLocked(ctx, discordgo.InteractionResponseDeferredChannelMessageWithSource, data); err != nil {
		r.bot.cfg.Log.Warn("defer interaction", "err", err)
		return
	}
	r.deferred = true
}

// reply sends the answer: as the first response, or by editing the deferred
// one.
func (r *request) reply(ctx context.Context, msg MessagePayload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.answered {
		return
	}
	r.answered = true
	var err error
	switch {
	case !r.deferred:
		msg.Flags |= r.flags()
		err = r.callbackLocked(ctx, discordgo.InteractionResponseChannelMessageWithSource, msg)
	case msg.Flags&discordgo.MessageFlagsEphemeral != 0 && !r.ephemeral:
		// An error after a public deferral: the visibility of a deferred
		// answer cannot change, so it is replaced by an ephemeral follow-up.
		err = r.replaceWithEphemeralLocked(ctx, msg)
	default:
		err = r.editOriginalLocked(ctx, msg)
	}
	if err != nil {
		r.bot.cfg.Log.Warn("answer interaction", "err", err)
	}
}

// fail shows an error to the user, ephemerally; errors that are not meant
// for users are logged and replaced by a general message.
func (r *request) fail(err error) {
	var ue *userError
	text := "Something went wrong; the error was logged."
	if errors.As(err, &ue) {
		text = ue.msg
	} else {
		r.bot.cfg.Log.Error("command failed", "interaction", r.i.ID, "err", err)
		if errors.Is(err, context.DeadlineExceeded) {
			text = "That took too long; please try again."
		}
	}
	// The timeout of the command may be what failed: answer with a fresh one.
	ctx, cancel := context.WithTimeout(r.bot.ctx, restTimeout)
	defer cancel()
	r.reply(ctx, MessagePayload{Content: fitPlain("⚠️ "+text, maxContent), Flags: discordgo.MessageFlagsEphemeral})
}

func (r *request) flags() discordgo.MessageFlags {
	if r.ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// callback sends an interaction response of type t.
func (r *request) callback(ctx context.Context, t discordgo.InteractionResponseType, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.callbackLocked(ctx, t, data); err != nil {
		r.bot.cfg.Log.Warn("answer interaction", "type", t, "err", err)
	}
	r.answered = true
}

func (r *request) callbackLocked(ctx context.Context, t discordgo.InteractionResponseType, data any) error {
	body := struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data any                               `json:"data,omitempty"`
	}{t, data}
	endpoint := discordgo.EndpointInteractionResponse(r.i.ID, r.i.Token)
	// Interaction tokens are not under the bot's rate limits: each gets its
	// own bucket, as in discordgo's InteractionRespond.
	_, err := r.bot.session.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("interaction callback: %w", r.bot.apiError(err))
	}
	return nil
}

func (r *request) editOriginalLocked(ctx context.Context, msg MessagePayload) error {
	msg.Flags = 0 // fixed when deferred
	endpoint := discordgo.EndpointInteractionResponseActions(r.bot.applicationID(), r.i.Token)
	_, err := r.bot.session.RequestWithBucketID(http.MethodPatch, endpoint, msg, endpoint, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("edit deferred answer: %w", r.bot.apiError(err))
	}
	return nil
}

// replaceWithEphemeralLocked deletes the deferred answer and sends msg as an
// ephemeral follow-up.
func (r *request) replaceWithEphemeralLocked(ctx context.Context, msg MessagePayload) error {
	appID := r.bot.applicationID()
	original := discordgo.EndpointInteractionResponseActions(appID, r.i.Token)
	if _, err := r.bot.session.RequestWithBucketID(http.MethodDelete, original, nil, original, discordgo.WithContext(ctx)); err != nil {
		r.bot.cfg.Log.Warn("delete deferred answer", "err", r.bot.apiError(err))
	}
	followup := discordgo.EndpointFollowupMessage(appID, r.i.Token)
	msg.Flags = discordgo.MessageFlagsEphemeral
	if _, err := r.bot.session.RequestWithBucketID(http.MethodPost, followup, msg, followup, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("ephemeral follow-up: %w", r.bot.apiError(err))
	}
	return nil
}

// optionMap indexes options by name; a subcommand's options are flattened.
func optionMap(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]*discordgo.ApplicationCommandInteractionDataOption {
	m := make(map[string]*discordgo.ApplicationCommandInteractionDataOption, len(opts))
	for _, o := range opts {
		m[o.Name] = o
	}
	return m
}
