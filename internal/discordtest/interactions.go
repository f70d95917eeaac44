package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Interaction is what a user does in Discord: run a slash command, type in
// an autocompleted option, or press a button. Zero fields take defaults:
// a slash command in the first guild's first channel by DefaultUserID.
type Interaction struct {
	Type        discordgo.InteractionType // default: application command
	Command     string                    // command name (commands and autocomplete)
	Options     []*discordgo.ApplicationCommandInteractionDataOption
	CustomID    string   // component custom_id (button presses)
	MessageID   string   // the message carrying the component
	Values      []string // selected values: a select menu rather than a button
	GuildID     string   // default: the first guild
	ChannelID   string   // default: the first guild's first channel
	DM          bool     // sent from a direct message: no guild, a user not a member
	UserID      string   // default: DefaultUserID
	Username    string
	Permissions int64 // the member's permission bitfield in the channel
}

// InteractionResult is how the bot answered an interaction.
type InteractionResult struct {
	ID    string
	Token string
	// Type is the callback type: 4 message, 5 deferred message, 6 deferred
	// update, 7 update, 8 autocomplete choices, 9 modal.
	Type discordgo.InteractionResponseType
	// Data is the callback's message data, nil when it had none.
	Data *Message
	// Choices are the autocomplete choices of a type 8 callback.
	Choices []*discordgo.ApplicationCommandOptionChoice
	// Original is the original response with every edit applied so far
	// (for a deferred answer: the edit that replaced "thinking...").
	Original *Message
	// Followups are the follow-up messages sent so far, oldest first.
	Followups []Message
}

// Content is the text the user finally sees as the answer: the original
// response's content, else the first follow-up's.
func (r *InteractionResult) Content() string {
	if r.Original != nil && (r.Original.Content != "" || len(r.Original.Embeds) > 0) {
		return r.Original.Content
	}
	if len(r.Followups) > 0 {
		return r.Followups[0].Content
	}
	return ""
}

// Ephemeral reports whether the answer is visible to the invoker only.
func (r *InteractionResult) Ephemeral() bool {
	return r.Original != nil && r.Original.Ephemeral()
}

// ErrNoCallback means the bot did not answer within the interaction deadline
// (Discord shows "The application did not respond").
var ErrNoCallback = errors.New("discordtest: no interaction callback before the deadline")

// pendingInteraction is an interaction dispatched to the bot. Guarded by
// Server.mu.
type pendingInteraction struct {
	id        string
	token     string
	channelID string
	kind      discordgo.InteractionType
	created   time.Time
	expired   bool // the deadline passed without a callback
	acked     bool
	result    InteractionResult // ID, Token, Type, Data and Choices
	original  *Message          // the original response, edits applied
	followups []*Message
	target    *Message // the message a component interaction updates
}

// Opt is a command option with a typed value: string, int, bool or float64.
func Opt(name string, value any) *discordgo.ApplicationCommandInteractionDataOption {
	o := &discordgo.ApplicationCommandInteractionDataOption{Name: name, Value: value}
	switch v := value.(type) {
	case string:
		o.Type = discordgo.ApplicationCommandOptionString
	case int:
		o.Type, o.Value = discordgo.ApplicationCommandOptionInteger, float64(v)
	case int64:
		o.Type, o.Value = discordgo.ApplicationCommandOptionInteger, float64(v)
	case bool:
		o.Type = discordgo.ApplicationCommandOptionBoolean
	case float64:
		o.Type = discordgo.ApplicationCommandOptionNumber
	default:
		panic(fmt.Sprintf("discordtest.Opt: unsupported value type %T", value))
	}
	return o
}

// ChannelOpt is a channel option holding channelID.
func ChannelOpt(name, channelID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionChannel, Value: channelID}
}

// UserOpt is a user option holding userID.
func UserOpt(name, userID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionUser, Value: userID}
}

// Focused is the option being typed in an autocomplete interaction.
func Focused(name, partial string) *discordgo.ApplicationCommandInteractionDataOption {
	o := Opt(name, partial)
	o.Focused = true
	return o
}

// SubCommand wraps options in a subcommand.
func SubCommand(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

// SubCommandGroup wraps subcommands in a group.
func SubCommandGroup(name string, subs ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommandGroup, Options: subs}
}

// Interact dispatches an INTERACTION_CREATE over the gateway (waiting for a
// ready connection, and up to 5 s for the command to be registered), waits
// for the bot's callback and returns it. After
// a deferred callback (types 5 and 6) it also waits, up to the follow-up
// wait, for the edit of the original response or a follow-up. It returns
// ErrNoCallback when the bot does not answer within the interaction deadline.
func (s *Server) Interact(ctx context.Context, in Interaction) (*InteractionResult, error) {
	if err := s.WaitReady(ctx); err != nil {
		return nil, err
	}
	in = s.withDefaults(in)
	if in.Type != discordgo.InteractionMessageComponent {
		s.awaitCommand(ctx, in.GuildID, in.Command)
	}
	p, payload, err := s.prepareInteraction(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	sess := s.gw.current
	s.interactions[p.token] = p
	p.created = time.Now()
	s.mu.Unlock()
	if err := sess.dispatch("INTERACTION_CREATE", payload); err != nil {
		// The event stays in the session's log: a RESUME delivers it.
		s.t.Logf("discordtest: dispatch interaction %s: %v (kept for RESUME)", p.id, err)
	}
	if err := s.awaitCallback(ctx, p); err != nil {
		return nil, err
	}
	return s.awaitAnswer(ctx, p)
}

// awaitCallback waits for the first callback; at the deadline it expires
// the interaction so a late callback gets 404, as on Discord.
func (s *Server) awaitCallback(ctx context.Context, p *pendingInteraction) error {
	dctx, cancel := context.WithDeadline(ctx, p.created.Add(s.cfg.interactionDeadline))
	defer cancel()
	err := s.waitFor(dctx, func() bool { return p.acked })
	if err == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.acked {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interaction %s: %w", p.id, ctx.Err())
	}
	p.expired = true
	return fmt.Errorf("interaction %s (%s): %w", p.id, p.kind, ErrNoCallback)
}

// awaitAnswer returns the result, after a deferred callback once the
// original response was edited or a follow-up sent (or the wait ran out).
func (s *Server) awaitAnswer(ctx context.Context, p *pendingInteraction) (*InteractionResult, error) {
	s.mu.Lock()
	deferred := p.result.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource ||
		p.result.Type == discordgo.InteractionResponseDeferredMessageUpdate
	s.mu.Unlock()
	if deferred {
		wctx, cancel := context.WithTimeout(ctx, s.cfg.followupWait)
		defer cancel()
		_ = s.waitFor(wctx, func() bool {
			return (p.original != nil && p.original.Edits > 0) || len(p.followups) > 0
		})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return p.snapshot(), nil
}

// Latest returns r's interaction as it stands now: follow-ups and edits
// made after Interact returned included.
func (s *Server) Latest(r *InteractionResult) *InteractionResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.interactions[r.Token]
	if p == nil {
		return r
	}
	return p.snapshot()
}

// snapshot copies the result; s.mu must be held.
func (p *pendingInteraction) snapshot() *InteractionResult {
	r := p.result
	if r.Data != nil {
		d := r.Data.clone()
		r.Data = &d
	}
	if p.original != nil {
		o := p.original.clone()
		r.Original = &o
	}
	r.Followups = cloneAll(p.followups)
	r.Choices = append([]*discordgo.ApplicationCommandOptionChoice(nil), r.Choices...)
	return &r
}

// prepareInteraction builds the INTERACTION_CREATE payload of in, whose
// defaults are filled.
func (s *Server) prepareInteraction(in Interaction) (*pendingInteraction, map[string]any, error) {
	p := &pendingInteraction{id: s.newID(), token: newToken(), channelID: in.ChannelID, kind: in.Type}
	payload := map[string]any{
		"id": p.id, "application_id": s.cfg.appID, "type": in.Type, "token": p.token, "version": 1,
		"channel_id": in.ChannelID, "channel": channelJSON{ID: in.ChannelID, GuildID: in.GuildID, Name: "channel-" + in.ChannelID},
		"app_permissions": "2147483647", "locale": "en-US", "entitlements": []any{},
	}
	user := userJSON{ID: in.UserID, Username: in.Username, Discriminator: "0", GlobalName: in.Username}
	if in.DM {
		payload["user"] = user
		payload["context"] = 1
	} else {
		payload["guild_id"], payload["guild_locale"], payload["context"] = in.GuildID, "en-US", 0
		payload["member"] = map[string]any{
			"user": user, "roles": []string{}, "permissions": fmt.Sprint(in.Permissions),
			"joined_at": time.Now().UTC().Format(time.RFC3339), "deaf": false, "mute": false, "flags": 0,
		}
	}
	data, err := s.interactionData(in, p)
	if err != nil {
		return nil, nil, err
	}
	payload["data"] = data
	if p.target != nil {
		s.mu.Lock()
		target := p.target.clone()
		s.mu.Unlock()
		payload["message"] = s.messageJSON(target)
	}
	return p, payload, nil
}

func (s *Server) withDefaults(in Interaction) Interaction {
	if in.Type == 0 {
		in.Type = discordgo.InteractionApplicationCommand
	}
	if !in.DM && in.GuildID == "" && len(s.cfg.guilds) > 0 {
		in.GuildID = s.cfg.guilds[0].ID
	}
	if in.ChannelID == "" {
		in.ChannelID = DefaultChannelID
		if !in.DM && len(s.cfg.guilds) > 0 && len(s.cfg.guilds[0].Channels) > 0 {
			in.ChannelID = s.cfg.guilds[0].Channels[0]
		}
	}
	if in.UserID == "" {
		in.UserID = DefaultUserID
	}
	if in.Username == "" {
		in.Username = "member-" + in.UserID
	}
	return in
}

// interactionData builds the "data" of the interaction, checking that a
// command was registered and a component's message exists.
func (s *Server) interactionData(in Interaction, p *pendingInteraction) (map[string]any, error) {
	if in.Type == discordgo.InteractionMessageComponent {
		return s.componentData(in, p)
	}
	return s.commandData(in)
}

func (s *Server) componentData(in Interaction, p *pendingInteraction) (map[string]any, error) {
	target := s.findMessage(in.MessageID)
	if target == nil {
		return nil, fmt.Errorf("discordtest: no message %q carries component %q", in.MessageID, in.CustomID)
	}
	p.target = target
	kind := discordgo.ButtonComponent
	if len(in.Values) > 0 {
		kind = discordgo.SelectMenuComponent
	}
	return map[string]any{"custom_id": in.CustomID, "component_type": kind, "values": in.Values}, nil
}

func (s *Server) commandData(in Interaction) (map[string]any, error) {
	cmd, ok := s.registeredCommand(in.GuildID, in.Command)
	if !ok {
		return nil, fmt.Errorf("discordtest: command %q is not registered (globally or in guild %s)", in.Command, in.GuildID)
	}
	full := in.Type == discordgo.InteractionApplicationCommand
	if err := checkOptions("/"+cmd.Name, cmd.Options, in.Options, full); err != nil {
		return nil, err
	}
	data := map[string]any{"id": cmd.ID, "name": cmd.Name, "type": discordgo.ChatApplicationCommand, "options": in.Options}
	if in.Options == nil {
		data["options"] = []any{}
	}
	if in.GuildID != "" && cmd.GuildID != "" {
		data["guild_id"] = in.GuildID
	}
	if r := resolved(in.Options, in.GuildID); r != nil {
		data["resolved"] = r
	}
	return data, nil
}

// registrationWait is how long Interact waits for a command to be
// registered: a bot registers its commands after READY, so a test that
// interacts as soon as the bot is connected may come first.
const registrationWait = 5 * time.Second

// awaitCommand waits until the command is registered, at most
// registrationWait; Interact then reports a command still missing.
func (s *Server) awaitCommand(ctx context.Context, guildID, name string) {
	ctx, cancel := context.WithTimeout(ctx, registrationWait)
	defer cancel()
	_ = s.waitFor(ctx, func() bool {
		_, ok := s.registeredCommandLocked(guildID, name)
		return ok
	})
}

func (s *Server) registeredCommand(guildID, name string) (discordgo.ApplicationCommand, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registeredCommandLocked(guildID, name)
}

func (s *Server) registeredCommandLocked(guildID, name string) (discordgo.ApplicationCommand, bool) {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name {
				return c, true
			}
		}
	}
	return discordgo.ApplicationCommand{}, false
}

// resolved lists the channels and users that options refer to, as Discord
// sends them beside the ids.
func resolved(opts []*discordgo.ApplicationCommandInteractionDataOption, guildID string) map[string]any {
	channels, users := map[string]any{}, map[string]any{}
	var walk func([]*discordgo.ApplicationCommandInteractionDataOption)
	walk = func(os []*discordgo.ApplicationCommandInteractionDataOption) {
		for _, o := range os {
			id, _ := o.Value.(string)
			switch o.Type {
			case discordgo.ApplicationCommandOptionChannel:
				channels[id] = map[string]any{"id": id, "type": 0, "name": "channel-" + id, "guild_id": guildID, "permissions": "2147483647"}
			case discordgo.ApplicationCommandOptionUser:
				users[id] = userJSON{ID: id, Username: "user" + id, Discriminator: "0"}
			}
			walk(o.Options)
		}
	}
	walk(opts)
	if len(channels) == 0 && len(users) == 0 {
		return nil
	}
	return map[string]any{"channels": channels, "users": users}
}

func (s *Server) findMessage(id string) *Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ms := range s.messages {
		for _, m := range ms {
			if m.ID == id {
				return m
			}
		}
	}
	for _, p := range s.interactions {
		if m := p.message(id); m != nil {
			return m
		}
	}
	return nil
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "aW50ZXJhY3Rpb24" + hex.EncodeToString(b)
}

func (s *Server) isInteractionToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.interactions[token]
	return ok
}

// callbackPayload is an interaction callback body.
type callbackPayload struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data json.RawMessage                   `json:"data"`
}

// interactionCallback answers POST /interactions/{id}/{token}/callback.
func (s *Server) interactionCallback(c *call) {
	id, token := c.segs[1], c.segs[2]
	var cb callbackPayload
	if err := json.Unmarshal(c.body, &cb); err != nil {
		s.rejectInvalid(c, []violation{{rule: "callback body does not decode: " + err.Error()}})
		return
	}
	data, ok := s.decodeCallback(c, cb)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.interactions[token]
	switch {
	case p == nil || p.id != id || p.expired || time.Since(p.created) > s.cfg.interactionDeadline:
		s.reply(c, http.StatusNotFound, unknownInteraction())
		return
	case p.acked:
		s.reply(c, http.StatusBadRequest, apiError{Message: "Interaction has already been acknowledged.", Code: codeAlreadyAcked})
		return
	}
	p.acked = true
	s.applyCallback(p, cb.Type, data)
	s.notifyLocked()
	s.reply(c, http.StatusNoContent, nil)
}

// applyCallback records the callback and the original response it makes;
// s.mu must be held.
func (s *Server) applyCallback(p *pendingInteraction, typ discordgo.InteractionResponseType, data *callbackData) {
	p.result.ID, p.result.Token, p.result.Type = p.id, p.token, typ
	if data == nil {
		data = &callbackData{}
	}
	p.result.Choices = data.Choices
	msg := s.newMessage(data.messagePayload, data.raw)
	msg.ChannelID, msg.WebhookID = p.channelID, s.cfg.appID
	if data.raw != nil {
		d := msg.clone()
		p.result.Data = &d
	}
	switch typ {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		p.original = msg
	case discordgo.InteractionResponseUpdateMessage:
		if p.target != nil {
			p.target.apply(data.messagePayload)
			p.target.Edits++
		}
		p.original = p.target
	case discordgo.InteractionResponseDeferredMessageUpdate:
		p.original = p.target
	}
}

// callbackData is the decoded data of a callback.
type callbackData struct {
	messagePayload
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	raw     json.RawMessage
}

// payload is the message part of the data; empty for a callback without data.
func (d *callbackData) payload() messagePayload {
	if d == nil {
		return messagePayload{}
	}
	return d.messagePayload
}

// decodeCallback validates a callback against the schema of its type and
// the message limits, and decodes its data.
func (s *Server) decodeCallback(c *call, cb callbackPayload) (*callbackData, bool) {
	kind, ok := callbackSchema(cb.Type)
	if !ok {
		s.rejectInvalid(c, []violation{{[]string{"type"}, fmt.Sprintf("unknown interaction callback type %d", cb.Type)}})
		return nil, false
	}
	vs, ok := s.validateJSON(c, kind)
	if !ok {
		return nil, false
	}
	var data *callbackData
	if len(cb.Data) > 0 && string(cb.Data) != "null" {
		data = &callbackData{raw: cb.Data}
		if err := json.Unmarshal(cb.Data, data); err != nil {
			vs = append(vs, violation{[]string{"data"}, "callback data does not decode: " + err.Error()})
		}
		vs = append(vs, messageLimits(data.messagePayload, []string{"data"})...)
	}
	if len(vs) > 0 {
		s.rejectInvalid(c, vs)
		return nil, false
	}
	if cb.Type == discordgo.InteractionResponseChannelMessageWithSource && !s.notEmpty(c, data.payload()) {
		return nil, false
	}
	if data != nil && (cb.Type == discordgo.InteractionResponseChannelMessageWithSource || cb.Type == discordgo.InteractionResponseUpdateMessage) {
		s.checkMentions(c, data.messagePayload, " (callback data)")
	}
	return data, true
}

func callbackSchema(t discordgo.InteractionResponseType) (schemaKind, bool) {
	switch t {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		return schemaCallbackMessage, true
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		return schemaCallbackUpdate, true
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		return schemaCallbackChoices, true
	case discordgo.InteractionResponseModal:
		return schemaCallbackModal, true
	}
	return "", false
}

// message finds the original response ("@original") or a follow-up by id;
// s.mu must be held.
func (p *pendingInteraction) message(id string) *Message {
	if p.original != nil && (id == "@original" || p.original.ID == id) {
		return p.original
	}
	for _, m := range p.followups {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// checkOptions refuses what Discord's client would not let a user send:
// options the command does not declare, of another type, outside the
// declared choices, or (for a full command) missing required ones.
func checkOptions(where string, declared []*discordgo.ApplicationCommandOption, given []*discordgo.ApplicationCommandInteractionDataOption, full bool) error {
	byName := map[string]*discordgo.ApplicationCommandOption{}
	for _, d := range declared {
		byName[d.Name] = d
	}
	present := map[string]bool{}
	for _, g := range given {
		d := byName[g.Name]
		switch {
		case d == nil:
			return fmt.Errorf("discordtest: %s declares no option %q", where, g.Name)
		case d.Type != g.Type:
			return fmt.Errorf("discordtest: %s option %q is declared %s, given %s", where, g.Name, d.Type, g.Type)
		case len(d.Choices) > 0 && !g.Focused && !isChoice(d.Choices, g.Value):
			return fmt.Errorf("discordtest: %s option %q: %v is not one of its choices", where, g.Name, g.Value)
		}
		present[g.Name] = true
		if err := checkOptions(where+" "+g.Name, d.Options, g.Options, full); err != nil {
			return err
		}
	}
	if !full {
		return nil
	}
	for _, d := range declared {
		if d.Required && !present[d.Name] {
			return fmt.Errorf("discordtest: %s needs option %q", where, d.Name)
		}
	}
	return nil
}

func isChoice(choices []*discordgo.ApplicationCommandOptionChoice, v any) bool {
	for _, c := range choices {
		if fmt.Sprint(c.Value) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}
