package discord

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

const (
	pageLines      = 10
	pageBudget     = 3500 // characters of list per page, within a description
	maxCustomID    = 100
	pageButtonsTag = "page"
)

// pagedList renders one page of lines as an embed, with Previous and Next
// buttons whose custom ids carry the command, the page and the command's own
// arguments, so that a press re-renders that page without any saved state.
func pagedList(title string, lines []string, page int, cmd, args string) MessagePayload {
	pages := splitPages(lines)
	page = max(0, min(page, len(pages)-1))
	e := &discordgo.MessageEmbed{
		Title:       fitPlain(title, maxTitle),
		Description: strings.Join(pages[page], "\n"),
	}
	msg := MessagePayload{Embeds: []*discordgo.MessageEmbed{e}}
	if len(pages) == 1 {
		return msg
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d", page+1, len(pages))}
	prev, next := pageID(cmd, page-1, args), pageID(cmd, page+1, args)
	if len(next) > maxCustomID {
		e.Footer.Text += " — narrow the search to see more"
		return msg
	}
	msg.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Previous", Style: discordgo.SecondaryButton, CustomID: prev, Disabled: page == 0},
		discordgo.Button{Label: "Next", Style: discordgo.SecondaryButton, CustomID: next, Disabled: page == len(pages)-1},
	}}}
	return msg
}

// splitPages cuts lines into pages of at most pageLines lines and pageBudget
// characters; a line too long for a page is cut.
func splitPages(lines []string) [][]string {
	pages := [][]string{nil}
	used := 0
	for _, line := range lines {
		line = fitPlain(line, pageBudget)
		last := len(pages) - 1
		if len(pages[last]) == pageLines || used+textLen(line)+1 > pageBudget {
			pages = append(pages, nil)
			last++
			used = 0
		}
		pages[last] = append(pages[last], line)
		used += textLen(line) + 1
	}
	return pages
}

// pageID is a page button's custom id: "page:<command>:<page>:<args>".
func pageID(cmd string, page int, args string) string {
	return strings.Join([]string{pageButtonsTag, cmd, strconv.Itoa(max(page, 0)), args}, ":")
}

// parsePageID reverses pageID.
func parsePageID(id string) (cmd string, page int, args string, ok bool) {
	parts := strings.SplitN(id, ":", 4)
	if len(parts) != 4 || parts[0] != pageButtonsTag {
		return "", 0, "", false
	}
	page, err := strconv.Atoi(parts[2])
	if err != nil || page < 0 {
		return "", 0, "", false
	}
	return parts[1], page, parts[3], true
}

// runPageButton answers a page button by replacing the message with that page.
func (b *Bot) runPageButton(r *request, customID string) {
	name, page, args, ok := parsePageID(customID)
	c := b.commands[name]
	if !ok || c == nil || c.page == nil {
		r.fail(refuse("This button is from an older version of embargo; run the command again."))
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, autocompleteTimeout)
	defer cancel()
	msg, err := c.page(ctx, r, page, args)
	if err != nil {
		r.fail(err)
		return
	}
	r.callback(ctx, discordgo.InteractionResponseUpdateMessage, msg)
}
