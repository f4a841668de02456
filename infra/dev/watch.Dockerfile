# The `skaffold dev -p dev` image of one service: the SDK running `dotnet watch`, so a .cs/.razor edit is copied into
# the running container by skaffold's file sync and rebuilt there in seconds, instead of a new image and a new pod.
# Build from the repository root: SERVICE is the folder (auth), PROJECT its project (auth/src/Ticketing.Auth).
# Development only: the SDK image is large and compiles at run time; production images are <service>/Dockerfile.
# Base images pinned by digest (the tag is for readers): Dependabot or infra/pin-base-images.sh moves the digest.
FROM mcr.microsoft.com/dotnet/sdk:10.0@sha256:e1ffd2a92ae84c1291bc1b6887501f8af98e6331e7af6d4c8d37168c5e87a64c
ARG SERVICE
ARG PROJECT
WORKDIR /src
RUN chown "$APP_UID" /src
USER $APP_UID
ENV HOME=/home/app \
    PROJECT=${PROJECT} \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_USE_POLLING_FILE_WATCHER=1 \
    DOTNET_WATCH_RESTART_ON_RUDE_EDIT=1 \
    DOTNET_WATCH_SUPPRESS_LAUNCH_BROWSER=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
COPY --chown=$APP_UID global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY --chown=$APP_UID common/src/Ticketing.Common/ common/src/Ticketing.Common/
COPY --chown=$APP_UID ${SERVICE}/src/ ${SERVICE}/src/
RUN dotnet restore "$PROJECT"
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec dotnet watch run --project \"$PROJECT\" --no-launch-profile --non-interactive"]
