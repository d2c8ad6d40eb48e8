# coopol's web interface, in English. Every key also exists in ../fr/web.ftl.

## Layout
skip-to-content = Skip to content
nav-label = Main navigation
nav-front = Instance home
nav-home = Home
nav-local = Local timeline
nav-settings = Settings
nav-signin = Sign in
nav-signout = Sign out
footer-powered = Powered by coopol, free software (AGPL-3.0 or later).

## Errors
error-back-home = Back to the front page
error-not-found-title = Page not found
error-not-found-text = This page does not exist, or you may not see it.
error-forbidden-title = Action refused
error-forbidden-text = The form expired or did not come from this site. Nothing was changed: reload the page and try again.
error-bad-request-title = Unreadable request
error-bad-request-text = The form sent was incomplete or malformed. Nothing was changed.
error-refused-title = This cannot be done
error-refused-text = The request breaks one of the instance's rules. Nothing was changed.
error-too-many-title = Too many attempts
error-too-many-text = Too many attempts in a short time. Wait a few minutes before trying again.
error-internal-title = Server error
error-internal-text = Something went wrong on our side. Try again in a moment; if it goes on, tell the instance's administrators.

## The instance's front page
front-title = Welcome
front-default-description = A coopol instance: the section's groups and events, open to the fediverse.
front-how-to-join = How to join
front-join-open = Registrations are open: create your account here, then use it in the browser or in a Mastodon app.
front-join-approval = Ask for an account here: the instance's team approves new accounts.
front-join-invite = New members join with an invitation link: ask your section's secretary for one.
front-join-closed = Accounts are created by the section's secretary: ask them for an invitation.
front-join-apps = You can also use any Mastodon app with the address { $name }.
front-events = Upcoming events
front-no-events = No upcoming public event yet.
front-posts = Latest posts
front-no-posts = Nobody has posted publicly here yet.
front-about = About this instance
front-groups = Groups
front-no-groups = No public group yet.
front-rules = Rules of this instance

## Posts
post-boosted-by = { $name } boosted
post-content-warning = Content warning:
post-replies = { $count ->
    [one] { $count } reply
   *[other] { $count } replies
}
post-boosts = { $count ->
    [one] { $count } boost
   *[other] { $count } boosts
}
post-favourites = { $count ->
    [one] { $count } favourite
   *[other] { $count } favourites
}

## Who sees this
who-public = Public, federated
who-unlisted = Public, left out of public timelines
who-followers = Followers of { $name }
who-direct = Only the people mentioned

## Groups and events
group-join-open = Open to all
group-join-approval = On approval
group-join-invite = By invitation
event-cancelled = Cancelled
event-online = Online
month-01 = Jan
month-02 = Feb
month-03 = Mar
month-04 = Apr
month-05 = May
month-06 = Jun
month-07 = Jul
month-08 = Aug
month-09 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

## Navigation (signed in)
nav-profile = My profile

## Sign in
signin-title = Sign in
signin-intro = Sign in to { $name } with your user name or your e-mail address.
signin-login = User name or e-mail address
signin-password = Password
signin-submit = Sign in
signin-failed-title = Could not sign in
signin-failed = This name, address or password is not right. Check them and try again.
signin-no-account = No account yet?

## Timelines
timeline-home-title = Home
timeline-home-intro = Posts of the people and groups you follow, and your own.
timeline-local-title = Local timeline
timeline-local-intro = The public posts of { $name }'s members.
timeline-posts = Posts
timeline-empty = Nothing to show yet.
timeline-hashtag-intro = The public posts known here that carry { $name }.
timeline-older = Older posts

## Thread
thread-title = Post by { $name }
thread-replies = Replies

## Compose
compose-title = Post
compose-reply-title = Reply
compose-text = Your message
compose-spoiler = Content warning (optional)
compose-spoiler-hint = When filled in, only this warning shows; the message opens with a click.
compose-visibility = Who can see this post?
compose-who-sees = Who sees it:
compose-submit = Post
compose-reply-submit = Reply
visibility-public = Public
visibility-unlisted = Unlisted
visibility-private = Followers only
visibility-direct = Mentioned people only

## Actions
action-reply = Reply
action-favourite = Favourite
action-unfavourite = Remove favourite
action-boost = Boost
action-unboost = Undo boost
action-follow = Follow
action-unfollow = Unfollow
action-withdraw = Withdraw the request
action-join = Join the group
action-leave = Leave the group

## Profile
profile-group = Group
profile-posts = Posts
profile-no-posts = No post to show.
profile-requested = Your request is waiting for an answer.
profile-remote-link = See it on its own instance
profile-followers = { $count ->
    [one] { $count } follower
   *[other] { $count } followers
}
profile-following = { $count ->
    [one] { $count } following
   *[other] { $count } following
}

## Settings
settings-title = Settings
settings-language = Language of the interface
settings-language-browser = My browser's
settings-language-fr = Français (French)
settings-language-en = English
settings-language-save = Save the language
settings-sessions = Open sessions
settings-sessions-intro = The browsers where your account is signed in. End a session you do not recognise.
settings-session-current = This session
settings-session-unknown = Unknown browser
settings-session-started = started { $name }
settings-session-seen = last seen { $name }
settings-session-end = End this session
settings-sessions-end-all = Sign out everywhere

## Navigation: groups
nav-groups = Groups

## Errors: not allowed
error-not-allowed-title = Not allowed
error-not-allowed-text = This page or action is for the people in charge (a group's moderators or admins). Nothing was changed. If you think you should have access, ask them.

## Groups directory
groups-title = Groups
groups-intro = Working groups, neighbourhood committees and campaigns: join those you take part in, follow the others' news.
groups-here = Groups of { $name }
groups-none-here = No group yet on this instance.
groups-elsewhere = Groups on other instances you follow
groups-none-elsewhere = You follow no group of another instance. Open a group's address (such as https://other.example/@group) to join it.

## A group's page
group-members = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
group-public = Public
group-private = Private
group-elsewhere = On another instance
group-who-public = Its posts are public: anyone can read them, here and on other instances.
group-who-private = Its posts are for the members of { $name } only.
group-join-open-help = Anyone can join: you become a member at once.
group-join-approval-help = A moderator reads your request and answers it; the group's page shows where it stands.
group-join-invite-help = Only people invited by a moderator can join.
group-invite-only = This group takes new members by invitation only. Ask one of its moderators to invite you.
group-request-waiting = Your request to join is waiting for a moderator's answer.
group-you-are = You are in this group as: { $role }.
group-sign-in-to-join = Sign in to join this group.
group-manage = Manage the group
group-requests-link = { $count ->
    [0] Join requests (none waiting)
    [one] Join requests ({ $count } waiting)
   *[other] Join requests ({ $count } waiting)
}
group-members-link = Members and roles
group-events = Upcoming events
group-no-events = No upcoming event of this group.
group-posts = Posts
group-no-posts = The group has not shared any post yet.
group-posts-members-only = This group is private: its posts are for its members.
group-about = About the group
group-rules = Rules of the group
group-no-rules = This group has not written rules; the instance's rules apply.
group-how-title = Posting in the group
group-how-post = Members post to the group by mentioning it in a post; the group then shares it with all its members, on every instance.
group-role-admin = admin
group-role-moderator = moderator
group-role-member = member
group-role-sympathiser = sympathiser

## Join requests and members (moderators)
group-requests-title = Requests to join { $name }
group-requests-intro = Accept a request and the person becomes a member; reject it and they are told no. Each answer is written to the group's moderation log.
group-requests-none = No request is waiting.
group-members-title = Members of { $name }
group-members-intro = Admins name moderators and other admins; moderators move people between member and sympathiser (a sympathiser receives the group's posts but does not post to it).
group-role-of = Role of { $name }
action-ask-to-join = Ask to join
action-accept = Accept
action-reject = Reject
action-set-role = Change the role
group-join-message = Message to the moderators (optional)
group-join-message-hint = Say who you are or why you want to join. Only the group's moderators read it.
group-request-no-message = No message.
group-calendar = Add the group's events to your calendar (iCalendar feed)

## Events
nav-events = Events
events-title = Events
events-intro = The public events of { $name } and its groups, soonest first.
events-upcoming = Upcoming
events-calendar = Add these events to your calendar (iCalendar feed)
events-calendar-hint = Copy this link into your calendar application (subscribe by URL): new events appear there by themselves.
event-when = When
event-where = Where
event-map = See on OpenStreetMap
event-organiser = Organised by
event-for-group = for the group
event-participants = Participants
event-places-taken = { $count ->
    [one] { $count } place taken
   *[other] { $count } places taken
}
event-people-coming = { $count ->
    [one] { $count } person coming
   *[other] { $count } people coming
}
event-waiting-count = { $count ->
    [one] { $count } person on the waiting list
   *[other] { $count } people on the waiting list
}
event-rsvp-title = Will you come?
event-sign-in = Sign in to say that you are coming.
event-cancelled-text = This event is cancelled.
event-you-go = You are coming.
event-you-maybe = You might come.
event-you-pending = Your participation waits for the organisers' approval.
event-you-waitlisted = { $count ->
    [one] The event is full: you are first on the waiting list. You get the next place that frees up.
   *[other] The event is full: you are number { $count } on the waiting list.
}
event-you-declined = The organisers declined your participation.
action-participate = I'm coming
action-maybe = Maybe
action-not-going = I'm not coming any more
action-leave-waitlist = Leave the waiting list

## Notifications
nav-notifications = Notifications
notif-title = Notifications
notif-intro = What happened to you: mentions, replies, new followers, favourites, boosts, polls and events.
notif-filter-label = Which notifications
notif-filter-all = All
notif-filter-mentions = Mentions only
notif-empty = No notifications here yet.
notif-older = Older notifications
notif-mention = { $name } mentioned you
notif-status = { $name } posted
notif-reblog = { $name } boosted your post
notif-follow = { $name } follows you
notif-follow-request = { $name } asks to follow you
notif-favourite = { $name } added your post to their favourites
notif-poll = { $name }'s poll has ended
notif-update = { $name } edited a post you boosted
notif-event-request = { $name } asks to take part in your event
notif-event-accepted = { $name } accepted your participation in the event
notif-event-reminder = Reminder: { $name }'s event starts soon
notif-other = Something happened ({ $name })

## Sign-up
signup-title = Create your account
signup-intro = Join { $name }: your account lets you follow groups, take part in events and post, here and on the whole fediverse.
signup-approval-intro = Accounts on this instance are approved by its team: say in a few words why you want to join, and you will be able to sign in once your request is approved.
signup-invited = You were invited to join { $name }. Choose your name and password.
signup-closed = This instance does not take new accounts at the moment. If you know its team, ask them to create one for you.
signup-invite-only = This instance takes new members by invitation only. Ask your section's secretary for an invitation link.
signup-invitation-invalid = This invitation link no longer works: it has expired, was used up or was withdrawn. Ask the person who sent it for a new one.
signup-username = Username
signup-username-hint = Letters, digits and underscores, up to 30. People will find you as @name@{ $name }; it cannot be changed later.
signup-email = E-mail address
signup-email-hint = To sign in. It is never shown to others.
signup-password = Password
signup-password-hint = At least 8 characters. A few words in a row are easy to remember and hard to guess.
signup-reason = Why do you want to join?
signup-reason-hint = For example your local section or the group you take part in. Up to 1,000 characters.
signup-agreement = I have read the rules and I accept them.
signup-submit = Create my account
signup-submit-ask = Send my request
signup-have-account = Already have an account?
signup-link = Create an account
signup-errors-title = There is a problem
signup-error-username-invalid = Use 1 to 30 letters, digits or underscores, without spaces.
signup-error-username-taken = This username is taken: choose another one.
signup-error-email-invalid = Enter an e-mail address, like name@example.org.
signup-error-email-taken = An account already uses this e-mail address. Sign in instead, or use another address.
signup-error-password-short = The password must have at least 8 characters.
signup-error-password-long = The password is too long: use at most 1,024 characters.
signup-error-reason-missing = Say in a few words why you want to join.
signup-error-reason-long = The reason is too long: use at most 1,000 characters.
signup-error-agreement = Accept the rules to create your account.
signup-waiting-title = Your request is sent
signup-waiting-text = The instance's team will read it soon. Once it is approved you can sign in with your name and password.
signin-awaiting-approval = Your account is waiting for the team's approval. You can sign in once it is approved.

## Administration: registrations and invitations
admin-nav-label = Administration pages
admin-nav-registrations = Registrations
admin-nav-invitations = Invitation links
registrations-title = Registrations
registrations-waiting = Waiting for approval
registrations-none-waiting = Nobody is waiting.
registrations-asked = Asked on { $name }
registrations-approve = Approve @{ $name }
registrations-reject = Reject @{ $name }
registrations-mode = Who may create an account
registrations-mode-closed = Closed
registrations-mode-closed-hint = Nobody signs up; the admin creates accounts.
registrations-mode-invite = By invitation
registrations-mode-invite-hint = Only people with an invitation link can sign up.
registrations-mode-approval = On approval
registrations-mode-approval-hint = Anyone may ask, saying why; an admin or moderator approves. An invitation link skips the wait.
registrations-mode-open = Open
registrations-mode-open-hint = Anyone can sign up at once.
registrations-save = Save
registrations-admins-only = Only the instance's admins change who may sign up.
registrations-done-mode = Saved: the sign-up page follows the new setting.
registrations-done-approved = Approved: the person can sign in now.
registrations-done-rejected = Rejected: the request is removed.
registrations-done-created = Invitation link made: copy it below and send it.
registrations-done-withdrawn = Withdrawn: nobody can sign up with that link any more.
invitations-title = Invitation links
invitations-new = Make an invitation link
invitations-intro = Send the link by e-mail or message: whoever opens it can create an account, even when registrations are by invitation only.
invitations-uses-label = How many people may use it
invitations-uses-one = One person
invitations-uses-n = Up to { $count } people
invitations-uses-unlimited = No limit
invitations-days-label = How long it works
invitations-days-1 = One day
invitations-days-7 = One week
invitations-days-30 = One month
invitations-days-never = Until I withdraw it
invitations-create = Make the link
invitations-fresh = Your new link
invitations-fresh-hint = Copy this link and send it:
invitations-list = Links in use
invitations-none = No invitation link yet.
invitations-uses = Used { $used } times
invitations-uses-of = Used { $used } of { $max } times
invitations-until = Works until { $name }
invitations-no-expiry = No expiry
invitations-spent = No longer works
invitations-withdraw = Withdraw
invitations-mode-closed = Registrations are closed: invitation links do not work until you choose another setting under Registrations.

## My agenda
events-mine = My agenda
events-mine-empty = Nothing planned yet: open an event and say you are coming, and it appears here.
events-mine-feed = Make my private calendar link
events-mine-feed-hint = A private address for your calendar application, with the events you organise or take part in, here and on other instances. Making a new one stops the old one.
events-mine-feed-made = Your private calendar link (copy it into your calendar application):
events-mine-feed-secret = Keep it to yourself: whoever has it sees your agenda. It is shown only now.

## Search
nav-search = Search
search-title = Search
search-title-for = Search: { $name }
search-label = Search people, groups and posts
search-hint = A name or words; or an address such as @name@section.example, !group@section.example, or the link of a post.
search-submit = Search
search-accounts = People and groups
search-no-accounts = No person or group by that name.
search-posts = Posts
search-no-posts = No post with these words.
search-posts-signin = Sign in to search the words of posts.
search-no-handle = Nobody is known as { $name }. Check the address; people on other servers are found once you are signed in.
search-no-url = Nothing could be opened at this link: check it, or sign in so that this instance fetches it from its server.

## Administration (the instance's admins)
nav-admin = Administration
error-admin-only-title = For the instance's admins
error-admin-only-text = This page is for the people who run this instance. Nothing was changed. If you think you should have access, ask its administrators.
admin-title = Administration
admin-intro = How the instance is doing, and what you can do as its administrator.
admin-nav-dashboard = Overview
admin-nav-accounts = Accounts
admin-nav-groups = Groups
admin-nav-domains = Blocked servers
admin-nav-log = Log
admin-figures = Figures
admin-stat-accounts = local accounts
admin-stat-groups = local groups
admin-stat-remote = accounts on other servers
admin-stat-posts = posts written here
admin-stat-all-posts = posts known here
admin-stat-blocks = blocked servers
admin-queues = Waiting work
admin-queues-help-title = What are these numbers?
admin-queues-help = Posts and changes made here wait a moment before they are sent to other servers, and what other servers send waits before it is applied. A few dozen is normal; numbers that keep growing for hours mean the instance is behind or a server does not answer.
admin-queue-outbox = Changes to send
admin-queue-deliveries = Deliveries to other servers
admin-queue-inbox = Received, not yet applied
admin-media = Uploaded media
admin-bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
admin-bytes-kb = { $count } KB
admin-bytes-mb = { $count } MB
admin-bytes-gb = { $count } GB
admin-unavailable = Servers not answering
admin-unavailable-help = Servers that failed to answer on several days. Nothing is sent to them until they answer again.
admin-unavailable-none = Every server answers.
admin-since = Since { $name }
admin-created = Created { $name }
admin-no-reason = No reason given.
admin-reason-label = Reason (optional)
admin-reason-too-long = { $count ->
    [one] The reason must be at most { $count } character long.
   *[other] The reason must be at most { $count } characters long.
}
admin-error-summary = There is a problem
admin-error-prefix = Error:
admin-cancel = Cancel
admin-domains-title = Blocked servers
admin-domains-intro = A blocked server can no longer exchange anything with this instance.
admin-domains-help-title = What does blocking a server do?
admin-domains-help-deliveries = Everything the blocked server sends here is refused, and nothing from here is delivered to it any more, including posts already waiting to be sent.
admin-domains-help-follows = Follows between people here and people there stay recorded but carry nothing while the block lasts. When you lift the block, they work again.
admin-domains-help-subdomains = A block covers the server's subdomains too: blocking spam.example also blocks social.spam.example.
admin-domains-add = Block a server
admin-domain-label = Server's domain
admin-domain-hint = For example spam.example (add :port if it is not the usual one). You can also paste an address from that server.
admin-domain-reason-hint = For the other administrators and for the log: what this server did.
admin-domain-block-button = Block this server
admin-domain-empty = Enter the domain of the server to block.
admin-domain-invalid = Enter a domain such as spam.example, without spaces.
admin-domain-already = { $name } is already blocked.
admin-domains-list = Servers blocked now
admin-domains-none = No server is blocked.
admin-domain-lift-button = Lift the block on { $name }
admin-done-blocked = The server is blocked.
admin-done-lifted = The block is lifted.
admin-done-suspended = The account is suspended.
admin-done-unsuspended = The account can sign in again.
admin-done-deleted = The account is deleted.
admin-done-group-suspended = The group is suspended.
admin-done-group-unsuspended = The group is back.
admin-accounts-title = Accounts
admin-accounts-intro = The people who have an account on this instance.
admin-accounts-help-title = Suspend or delete?
admin-accounts-help-suspend = Suspending is temporary: the person can no longer sign in nor use apps, but their posts and follows are kept. You can lift the suspension at any time.
admin-accounts-help-delete = Deleting is final: the posts are removed here and on the other servers, and the name can never be used again.
admin-accounts-count = { $count ->
    [one] { $count } account
   *[other] { $count } accounts
}
admin-accounts-yours = This is your account.
admin-role-admin = administrator
admin-role-moderator = moderator
admin-role-user = member
admin-state-active = Active
admin-state-suspended = Suspended
admin-state-deleted = Deleted
admin-suspend = Suspend…
admin-suspend-button = Suspend { $name }
admin-unsuspend-button = Lift the suspension of { $name }
admin-delete = Delete…
admin-confirm-intro = This cannot be undone. Here is what will happen:
admin-confirm-reason-hint = Kept in the log of administration actions.
admin-delete-title = Delete the account { $name }?
admin-delete-posts = All its posts are removed from this instance.
admin-delete-federation = The servers that know this account are told it is deleted, and remove its posts too.
admin-delete-name = The name can never be used again on this instance.
admin-delete-final = The person can no longer sign in, and the account cannot be restored.
admin-delete-button = Delete { $name } for good
admin-groups-title = Groups
admin-groups-intro = The groups of this instance.
admin-groups-help-title = What does suspending a group do?
admin-groups-help = A suspended group disappears from this instance, and the servers of its members elsewhere are told it is deleted. Lifting the suspension brings it back here; people on other servers have to join it again.
admin-groups-count = { $count ->
    [one] { $count } group
   *[other] { $count } groups
}
admin-groups-none = This instance has no group yet.
admin-group-suspend-title = Suspend the group { $name }?
admin-group-suspend-here = The group disappears from this instance: nobody can read or join it.
admin-group-suspend-federation = The other servers are told the group is deleted; their people leave it.
admin-group-suspend-back = You can lift the suspension later, but people on other servers will have to join again.
admin-group-suspend-button = Suspend { $name }
admin-log-title = Log of administration actions
admin-log-intro = What the administrators did, newest first: who, what, when and why.
admin-log-none = Nothing yet.
admin-log-by = by { $name }
admin-log-command-line = the command line on the server
admin-log-someone = a removed account
admin-log-older = Older entries
admin-log-domain-block = Server blocked:
admin-log-domain-unblock = Block lifted:
admin-log-account-suspend = Account suspended:
admin-log-account-unsuspend = Suspension lifted:
admin-log-account-delete = Account deleted:
admin-log-group-suspend = Group suspended:
admin-log-group-unsuspend = Group back:
