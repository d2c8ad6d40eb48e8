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
front-join-open = Registrations are open: create your account from a Mastodon app.
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
signin-no-account = No account yet? Ask your section's secretary for an invitation.

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
