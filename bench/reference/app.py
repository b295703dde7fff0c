"""The reference: a Todo API written the way FastAPI + SQLModel async projects usually are.

It is the yardstick of ``make bench``, not part of the product: one ``AsyncSession`` per
request, the user looked up (and created) from the token's claims on every request,
SQLModel models as request and response schemas, tags as a many-to-many relationship loaded
with ``selectin``. It serves the task shape the bench reads (the project's first fields and
its tags) from its own tables (``reference_user``, ``reference_task``, ``reference_tag``,
``reference_task_tag``) in the same database.

    REFERENCE_DATABASE_URL=postgresql+asyncpg://…  BETTER_AUTH_SECRET=…  uvicorn app:app
    python app.py --create-tables        # drop and create its tables, once, before serving
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import Field, Relationship, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

DATABASE_URL = os.environ["REFERENCE_DATABASE_URL"]
SECRET = os.environ["BETTER_AUTH_SECRET"]

# SQLAlchemy's default pool (5, plus 10 overflow connections closed after each use) would
# have the reference measured reconnecting under the bench's 16 connections per worker;
# a pool that fits them makes it the stronger yardstick.
if DATABASE_URL.startswith("sqlite"):
    engine = create_async_engine(DATABASE_URL, connect_args={"timeout": 30})
else:
    engine = create_async_engine(DATABASE_URL, pool_size=16, max_overflow=0)
Session = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def now() -> datetime:
    return datetime.now(UTC)


class ReferenceUser(SQLModel, table=True):
    __tablename__ = "reference_user"
    id: str = Field(primary_key=True)
    email: str = ""


class ReferenceTaskTag(SQLModel, table=True):
    __tablename__ = "reference_task_tag"
    task_id: int | None = Field(default=None, foreign_key="reference_task.id", primary_key=True)
    tag_id: int | None = Field(default=None, foreign_key="reference_tag.id", primary_key=True)


class ReferenceTag(SQLModel, table=True):
    __tablename__ = "reference_tag"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="reference_user.id", index=True)
    name: str = Field(max_length=50, index=True)


class TaskBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool = False


class ReferenceTask(TaskBase, table=True):
    __tablename__ = "reference_task"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="reference_user.id", index=True)
    completed_at: datetime | None = None
    created_at: datetime = Field(default_factory=now, index=True)
    updated_at: datetime = Field(default_factory=now)
    tags: list[ReferenceTag] = Relationship(
        link_model=ReferenceTaskTag, sa_relationship_kwargs={"lazy": "selectin"}
    )


class TaskCreate(TaskBase):
    tags: list[str] = []


class TaskUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool | None = None


class TaskRead(TaskBase):
    id: int
    user_id: str
    tags: list[str]
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


def task_read(task: ReferenceTask) -> TaskRead:
    return TaskRead(**task.model_dump(), tags=[tag.name for tag in task.tags])


app = FastAPI()


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        yield session


async def current_user(
    authorization: str = Header(default=""), session: AsyncSession = Depends(get_session)
) -> ReferenceUser:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(status_code=401, detail="Not authenticated")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["sub", "exp"]})
    except jwt.InvalidTokenError as error:
        raise HTTPException(status_code=401, detail="Invalid token") from error
    user = await session.get(ReferenceUser, claims["sub"])
    if user is None:
        user = ReferenceUser(id=claims["sub"], email=claims.get("email", ""))
        session.add(user)
        await session.commit()
    return user


async def owned_task(task_id: int, user: ReferenceUser, session: AsyncSession) -> ReferenceTask:
    task = await session.get(ReferenceTask, task_id)
    if task is None or task.user_id != user.id:
        raise HTTPException(status_code=404, detail="Task not found")
    return task


@app.get("/api/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/api/tasks", response_model=list[TaskRead])
async def list_tasks(
    limit: int = 100,
    tag: str | None = None,
    user: ReferenceUser = Depends(current_user),
    session: AsyncSession = Depends(get_session),
):
    query = (
        select(ReferenceTask)
        .where(ReferenceTask.user_id == user.id)
        .order_by(col(ReferenceTask.created_at).desc(), col(ReferenceTask.id).desc())
        .limit(min(limit, 500))
    )
    if tag is not None:
        query = query.where(col(ReferenceTask.tags).any(col(ReferenceTag.name) == tag))
    return [task_read(task) for task in (await session.exec(query)).all()]


@app.get("/api/tasks/{task_id}", response_model=TaskRead)
async def get_task(
    task_id: int, user: ReferenceUser = Depends(current_user), session: AsyncSession = Depends(get_session)
):
    return task_read(await owned_task(task_id, user, session))


@app.post("/api/tasks", response_model=TaskRead, status_code=201)
async def create_task(
    data: TaskCreate,
    user: ReferenceUser = Depends(current_user),
    session: AsyncSession = Depends(get_session),
):
    task = ReferenceTask.model_validate(data.model_dump(exclude={"tags"}), update={"user_id": user.id})
    if task.completed:
        task.completed_at = now()
    if data.tags:
        found = await session.exec(
            select(ReferenceTag).where(ReferenceTag.user_id == user.id, col(ReferenceTag.name).in_(data.tags))
        )
        tags = {tag.name: tag for tag in found.all()}
        names = dict.fromkeys(data.tags)
        task.tags = [tags.get(name) or ReferenceTag(user_id=user.id, name=name) for name in names]
    session.add(task)
    await session.commit()
    await session.refresh(task)
    return task_read(task)


@app.patch("/api/tasks/{task_id}", response_model=TaskRead)
async def update_task(
    task_id: int,
    data: TaskUpdate,
    user: ReferenceUser = Depends(current_user),
    session: AsyncSession = Depends(get_session),
):
    task = await owned_task(task_id, user, session)
    changes = data.model_dump(exclude_unset=True)
    if "completed" in changes and changes["completed"] != task.completed:
        task.completed_at = now() if changes["completed"] else None
    task.sqlmodel_update(changes)
    task.updated_at = now()
    session.add(task)
    await session.commit()
    await session.refresh(task)
    return task_read(task)


async def create_tables() -> None:
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.run_sync(SQLModel.metadata.create_all)
    await engine.dispose()


if __name__ == "__main__" and sys.argv[1:] == ["--create-tables"]:
    asyncio.run(create_tables())
