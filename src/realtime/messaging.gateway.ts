import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import type { AuthUser } from '../common/auth/auth-user';
import { fromDependencyError } from '../common/errors/dependency-errors';
import { MessageDto } from '../messages/dto/message.dto';
import { SendMessage } from '../messages/send-message';
import { ReceiptsService } from '../messages/receipts.service';
import { MetricsService } from '../health/metrics.service';
import { PresenceService } from '../presence/presence.service';
import { SyncResultDto } from './dto/socket-events.dto';
import {
  ConversationRefDto,
  PresenceSetDto,
  quickSocketSend,
  SocketSendDto,
  SyncDto,
  UpToSeqDto,
} from './dto/socket-inputs.dto';
import { RealtimeEmitter } from './realtime-emitter';
import { Ack, ack, QuickCheck, refusal } from './socket-ack';
import { sessionRoom, userRoom } from './socket-events';
import { FloodState, SocketEventBudget } from './socket-event-budget';
import { SyncService } from './sync.service';
import { TypingService } from './typing.service';

type Events = Record<string, (...args: never[]) => void>;
/** A socket past the handshake: `data.user` was set by the auth middleware. */
type AuthedSocket = Socket<
  Events,
  Events,
  Events,
  { user: AuthUser; checkedAt: number; flood?: FloodState }
>;

/** How long a socket's view of its user (verified, locale, name) may be reused between events. */
const PRINCIPAL_TTL_MS = 30_000;

/**
 * The `/messaging` namespace: as thin as a controller. It authenticates the handshake with the
 * same token check as HTTP, joins the user's rooms, and delegates every event to the services
 * REST uses. The user id always comes from the token.
 */
@WebSocketGateway({ namespace: '/messaging' })
export class MessagingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('MessagingGateway');

  constructor(
    private readonly auth: AuthService,
    private readonly emitter: RealtimeEmitter,
    private readonly presence: PresenceService,
    private readonly messages: SendMessage,
    private readonly receipts: ReceiptsService,
    private readonly typing: TypingService,
    private readonly syncService: SyncService,
    private readonly metrics: MetricsService,
    private readonly budget: SocketEventBudget,
  ) {}

  afterInit(namespace: Namespace): void {
    this.emitter.attach(namespace);
    namespace.use((socket, next) => {
      const token: unknown = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token.length === 0) return next(new Error('unauthorized'));
      this.auth.authenticate(token).then(
        (user) => {
          (socket as unknown as AuthedSocket).data.user = user;
          (socket as unknown as AuthedSocket).data.checkedAt = Date.now();
          next();
        },
        // an outage is not a bad token: the client may retry ("unavailable")
        (err: unknown) =>
          next(new Error(fromDependencyError(err) ? 'unavailable' : 'unauthorized')),
      );
    });
  }

  async handleConnection(socket: AuthedSocket): Promise<void> {
    const user = socket.data.user;
    await socket.join([userRoom(user.id), sessionRoom(user.sessionId)]);
    this.metrics.socketConnections.inc();
    await this.presence
      .connected(user.id, socket.id)
      .catch((err: Error) => this.logger.warn(err.message));
  }

  async handleDisconnect(socket: AuthedSocket): Promise<void> {
    const user = socket.data.user;
    if (!user) return;
    this.metrics.socketConnections.dec();
    await this.typing.socketGone(user, socket.id).catch(() => undefined);
    await this.presence
      .disconnected(user.id, socket.id)
      .catch((err: Error) => this.logger.warn(err.message));
  }

  @SubscribeMessage('message:send')
  send(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<MessageDto>> {
    // sends are counted by SendMessage, against RATE_LIMIT_MESSAGES_PER_MINUTE
    return this.handle(
      socket,
      SocketSendDto,
      payload,
      async (user, dto) => {
        const { message } = await this.messages.send(user, dto.conversationId, dto, {
          socketId: socket.id,
        });
        return message;
      },
      { budgeted: false, quick: quickSocketSend },
    );
  }

  @SubscribeMessage('typing:start')
  typingStart(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<object>> {
    return this.handle(socket, ConversationRefDto, payload, async (user, dto) => {
      await this.typing.start(user, dto.conversationId, socket.id);
      return {};
    });
  }

  @SubscribeMessage('typing:stop')
  typingStop(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<object>> {
    return this.handle(socket, ConversationRefDto, payload, async (user, dto) => {
      await this.typing.stop(user, dto.conversationId);
      return {};
    });
  }

  @SubscribeMessage('message:delivered')
  delivered(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<object>> {
    return this.handle(socket, UpToSeqDto, payload, async (user, dto) => {
      await this.receipts.delivered(user, dto.conversationId, dto.upToSeq, { socketId: socket.id });
      return {};
    });
  }

  @SubscribeMessage('message:read')
  read(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<{ lastReadSeq: number }>> {
    return this.handle(socket, UpToSeqDto, payload, (user, dto) =>
      this.receipts.read(user, dto.conversationId, dto.upToSeq, { socketId: socket.id }),
    );
  }

  @SubscribeMessage('presence:set')
  presenceSet(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<object>> {
    return this.handle(socket, PresenceSetDto, payload, async (user, dto) => {
      await this.presence.set(user.id, socket.id, dto.status);
      return {};
    });
  }

  @SubscribeMessage('sync')
  sync(
    @ConnectedSocket() socket: AuthedSocket,
    @MessageBody() payload: unknown,
  ): Promise<Ack<SyncResultDto>> {
    return this.handle(socket, SyncDto, payload, (user, dto) =>
      this.syncService.sync(user, dto.since),
    );
  }

  /**
   * Spends one event of the user's budget (refusing it past the limit, and dropping a socket
   * that goes on flooding), validates the payload with the event's DTO, then runs it as the
   * socket's user.
   */
  private async handle<D, T>(
    socket: AuthedSocket,
    dto: new () => D,
    payload: unknown,
    run: (user: AuthUser, input: D) => Promise<T>,
    { budgeted = true, quick }: { budgeted?: boolean; quick?: QuickCheck<D> } = {},
  ): Promise<Ack<T>> {
    const known = socket.data.user;
    if (budgeted) {
      const refused = await this.overBudget(socket);
      if (refused) return refused;
    }
    return ack(
      known,
      dto,
      payload,
      async (input) => run(await this.principalOf(socket), input),
      quick,
    );
  }

  /** Spends one event of the user's budget; the refusal to answer when there is none left. */
  private async overBudget(socket: AuthedSocket): Promise<Ack<never> | null> {
    const user = socket.data.user;
    try {
      const verdict = await this.budget.spend(
        user,
        (socket.data.flood ??= { refused: 0, until: 0 }),
      );
      if (verdict.ok) return null;
      if (verdict.disconnect) {
        this.logger.warn(`dropping socket ${socket.id} of user ${user.id}: it kept flooding`);
        // after this ack is on its way, so the client learns why
        setImmediate(() => socket.disconnect(true));
      }
      return refusal(user, verdict.error);
    } catch (err) {
      return refusal(user, err);
    }
  }

  /**
   * The socket's user, re-read from the session at most every 30 s. Logout, reuse detection and
   * suspension do not wait for that: they drop the session's sockets on every node at once.
   */
  private async principalOf(socket: AuthedSocket): Promise<AuthUser> {
    const known = socket.data.user;
    if (Date.now() - socket.data.checkedAt < PRINCIPAL_TTL_MS) return known;
    const user = await this.auth
      .principal({ sub: known.id, sid: known.sessionId })
      .catch((err: unknown) => {
        // an outage is not a revoked session: answer 503 and keep the socket
        if (!fromDependencyError(err)) socket.disconnect(true);
        throw err;
      });
    socket.data.user = user;
    socket.data.checkedAt = Date.now();
    return user;
  }
}
