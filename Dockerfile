# Weir's worker and API in one image, as deploy/kubernetes/ runs it: the API by default, the worker with
# `command: [node, --import, tsx, worker/main.ts]`. Build it with `npm run image` (docs/kubernetes.md#weirs-image):
# node_modules comes from the build context, installed by `npm ci` for Node 20 on Linux, so the build needs no registry.
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /app
COPY . .
# Components run as nobody; so do Weir's own processes. tsx keeps its compile cache in /tmp.
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["api/main.ts"]
